// The ONE place where the chart's Envoy files are changed so that they can run on this machine.
//
// In the pod, Envoy reads its files from /etc/envoy, binds listeners on 0.0.0.0:<listenPort> and its admin
// on 127.0.0.1:<adminPort>. Here many Envoys may run at once, unprivileged, next to other tests, so
// remapForLocalRun() rewrites exactly three things and nothing else (test/unit/envoy-remap.test.ts proves it):
//   1. every socket_address.port_value and health_check_config.port_value found in `ports` -> its mapped
//      port (listeners, admin, and, when the caller asks, cluster endpoints and their health-check ports);
//   2. every socket_address.address "0.0.0.0" -> `wildcardTo` (default "127.0.0.1": never expose test
//      listeners; the e2e pod harness gives its "pod IP", an address on a veth pair it owns);
//   3. every string `path` under /etc/envoy (path_config_source.path, watched_directory.path) -> the same
//      path under `configDir`.
// Names, stat prefixes, timeouts, tunnelling targets and version_info stay byte-for-byte as rendered.
import { ENVOY_CONFIG_DIR } from "../plan/envoy.ts";
import type { Json, JsonObject } from "../lib/json.ts";

export type EnvoyFiles = Record<string, JsonObject>;

export interface LocalRun {
  /** Directory that replaces /etc/envoy. */
  configDir: string;
  /** Rendered port -> local port. Ports not in the map are left alone. */
  ports: ReadonlyMap<number, number>;
  /** What 0.0.0.0 becomes (default 127.0.0.1). */
  wildcardTo?: string;
}

export const LOOPBACK = "127.0.0.1";
const WILDCARD = "0.0.0.0";

export function remapForLocalRun(files: EnvoyFiles, run: LocalRun): EnvoyFiles {
  const visit = (node: Json, key: string | undefined, parentKey: string | undefined): Json => {
    if (Array.isArray(node)) return node.map((v) => visit(v, undefined, key));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v, k, key)]));
    }
    if (
      (parentKey === "socket_address" || parentKey === "health_check_config") &&
      key === "port_value" &&
      typeof node === "number"
    ) {
      return run.ports.get(node) ?? node;
    }
    if (parentKey === "socket_address" && key === "address" && node === WILDCARD) return run.wildcardTo ?? LOOPBACK;
    if (
      key === "path" &&
      typeof node === "string" &&
      (node === ENVOY_CONFIG_DIR || node.startsWith(`${ENVOY_CONFIG_DIR}/`))
    ) {
      return run.configDir + node.slice(ENVOY_CONFIG_DIR.length);
    }
    return node;
  };
  return Object.fromEntries(
    Object.entries(files).map(([name, doc]) => [name, visit(doc, undefined, undefined) as JsonObject]),
  );
}
