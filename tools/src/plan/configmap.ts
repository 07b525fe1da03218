// The Envoy ConfigMap's data as text, byte for byte what templates/configmap.yaml renders: the bootstrap
// as Helm's toPrettyJson, LDS and CDS one resource per line (templates/_envoy.tpl
// "tailscale-egress.envoy.discovery"), each value ending in the newline that YAML's literal block adds.
// The size check needs the exact bytes.
import type { Values } from "../generated/values.ts";
import { goJson } from "../lib/gojson.ts";
import type { Json, JsonObject } from "../lib/json.ts";
import { BOOTSTRAP_FILE, CDS_FILE, LDS_FILE, planEnvoy } from "./envoy.ts";

/** Go's json.MarshalIndent(v, "", "  "): sorted keys, HTML-escaped like goJson. */
function prettyGoJson(value: Json): string {
  return JSON.stringify(JSON.parse(goJson(value)), null, 2).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function discoveryText(response: JsonObject): string {
  const resources = (response.resources as Json[]).map((r) => goJson(r)).join(",\n    ");
  return `{\n  "version_info": ${JSON.stringify(response.version_info)},\n  "resources": [\n    ${resources}\n  ]\n}`;
}

/** The ConfigMap's data map for these Envoy files. */
export function configMapData(files: Record<string, JsonObject>): Record<string, string> {
  const text = (name: string): JsonObject => {
    const f = files[name];
    if (!f) throw new Error(`no Envoy file ${name}`);
    return f;
  };
  return {
    [BOOTSTRAP_FILE]: `${prettyGoJson(text(BOOTSTRAP_FILE))}\n`,
    [LDS_FILE]: `${discoveryText(text(LDS_FILE))}\n`,
    [CDS_FILE]: `${discoveryText(text(CDS_FILE))}\n`,
  };
}

/** What kube-apiserver counts against the 1 MiB limit: the byte lengths of the data values. */
export function dataBytes(data: Record<string, string>): number {
  return Object.values(data).reduce((n, v) => n + Buffer.byteLength(v), 0);
}

export function envoyConfigMapBytes(values: Values, release: string): number {
  return dataBytes(configMapData(planEnvoy(values, release).files));
}
