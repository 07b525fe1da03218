// JSON exactly as Go's encoding/json (Helm's toJson) writes it: object keys sorted, no spaces, and
// <, >, & escaped as \u003c, \u003e, \u0026. Used where the chart hashes JSON and the CLI must match.
import type { Json } from "./json.ts";

export function goJson(value: Json): string {
  return JSON.stringify(sortKeys(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as Json);
    return out;
  }
  return value;
}
