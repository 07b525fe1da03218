// The Envoy ConfigMaps' data as text, byte for byte what templates/configmap.yaml renders: the bootstrap
// as Helm's toPrettyJson, the discovery files one resource per line (templates/_envoy.tpl
// "tailscale-egress.envoy.discovery"), each value ending in the newline that YAML's literal block adds.
// The files are spread over three ConfigMaps, because each may hold at most 1 MiB and LDS and CDS are one file
// each; the pod mounts all three into /etc/envoy as one projected volume, so kubelet swaps them together.
// The size check needs the exact bytes of each.
import type { Values } from "../generated/values.ts";
import { goJson } from "../lib/gojson.ts";
import type { Json, JsonObject } from "../lib/json.ts";
import { BOOTSTRAP_FILE, CDS_FILE, LDS_FILE, planEnvoy, RDS_FILE } from "./envoy.ts";

/** Each Envoy ConfigMap: its name's suffix (<fullname>-<suffix>) and the files it holds. */
export const ENVOY_CONFIGMAPS: readonly { suffix: string; files: readonly string[] }[] = [
  { suffix: "envoy", files: [BOOTSTRAP_FILE, RDS_FILE] },
  { suffix: "envoy-lds", files: [LDS_FILE] },
  { suffix: "envoy-cds", files: [CDS_FILE] },
];

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

/** Every Envoy file as text: the contents of the pod's /etc/envoy. */
export function configMapData(files: Record<string, JsonObject>): Record<string, string> {
  const text = (name: string): JsonObject => {
    const f = files[name];
    if (!f) throw new Error(`no Envoy file ${name}`);
    return f;
  };
  return {
    [BOOTSTRAP_FILE]: `${prettyGoJson(text(BOOTSTRAP_FILE))}\n`,
    [RDS_FILE]: `${discoveryText(text(RDS_FILE))}\n`,
    [LDS_FILE]: `${discoveryText(text(LDS_FILE))}\n`,
    [CDS_FILE]: `${discoveryText(text(CDS_FILE))}\n`,
  };
}

/** The data of each Envoy ConfigMap, by suffix, in ENVOY_CONFIGMAPS order. */
export function envoyConfigMaps(files: Record<string, JsonObject>): { suffix: string; data: Record<string, string> }[] {
  const all = configMapData(files);
  return ENVOY_CONFIGMAPS.map(({ suffix, files: names }) => ({
    suffix,
    data: Object.fromEntries(names.map((n) => [n, all[n] as string])),
  }));
}

/** What kube-apiserver counts against the 1 MiB limit: the byte lengths of the data values. */
export function dataBytes(data: Record<string, string>): number {
  return Object.values(data).reduce((n, v) => n + Buffer.byteLength(v), 0);
}

/** Bytes of each Envoy ConfigMap, by suffix. */
export function envoyConfigMapBytes(values: Values, release: string): Record<string, number> {
  return Object.fromEntries(
    envoyConfigMaps(planEnvoy(values, release).files).map((c) => [c.suffix, dataBytes(c.data)]),
  );
}
