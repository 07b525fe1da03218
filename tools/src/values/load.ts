// Loads values the way Helm does: the chart's values.yaml, then each -f file in order, merged so that
// maps merge key by key, lists and scalars replace, and null deletes a default.
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { repoPath } from "../lib/paths.ts";

export type Doc = { [key: string]: unknown };

const isMap = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

export function mergeValues(base: Doc, over: Doc): Doc {
  const out: Doc = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeValues(out[key] as Doc, value);
    else out[key] = value;
  }
  return out;
}

export async function readValuesFile(path: string): Promise<Doc> {
  const text = await readFile(path, "utf8");
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isMap(doc)) throw new Error(`${path}: a values file must be a YAML map at the top level`);
  return doc;
}

export async function chartDefaults(): Promise<Doc> {
  return readValuesFile(repoPath("values.yaml"));
}

/** Chart defaults merged with the given files, in order. */
export async function loadValues(files: string[]): Promise<Doc> {
  let values = await chartDefaults();
  for (const f of files) values = mergeValues(values, await readValuesFile(f));
  return values;
}
