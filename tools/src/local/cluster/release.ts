// A release of the chart on a local cluster (tools/src/local/cluster), as the cluster tests and the cluster
// benchmark drive it: Helm and kubectl inside the cluster's namespace, restricted namespaces, the release's pod
// and Service, and the demo tailnets' targets and values.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { repoPath } from "../../lib/paths.ts";
import { tempDir } from "../lab/tempdirs.ts";
import type { Cluster } from "./cluster.ts";
import type { DemoTarget } from "./state.ts";

/** The chart: the repository root. */
export const CHART = repoPath();

export function demoTarget(c: Cluster, tailnet: string): DemoTarget {
  const t = c.demo?.find((d) => d.tailnet === tailnet);
  if (!t) throw new Error(`no demo tailnet ${tailnet} in ${JSON.stringify(c.demo)}`);
  return t;
}

/** The demo values with changes, written to a file of their own. */
export function demoValues(c: Cluster, change: (v: DemoValues) => void = () => undefined): string {
  if (!c.values) throw new Error("the cluster was started without --demo");
  const v = YAML.parse(fs.readFileSync(c.values, "utf8")) as DemoValues;
  change(v);
  const file = path.join(tempDir("values"), "values.yaml");
  fs.writeFileSync(file, YAML.stringify(v));
  return file;
}

export interface DemoValues {
  tailscale: Record<string, unknown>;
  tailnets: { name: string; services: { name: string; host: string; port: number }[] }[];
  [k: string]: unknown;
}

export async function helm(c: Cluster, major: 3 | 4, args: readonly string[], timeoutMs = 420_000) {
  return c.exec([`helm${major}`, ...args], { timeoutMs });
}

/** helm's success and its whole output (stdout and stderr), without throwing. */
export async function helmTry(
  c: Cluster,
  major: 3 | 4,
  args: readonly string[],
): Promise<{ ok: boolean; out: string }> {
  const r = await c.exec(["sh", "-c", `helm${major} "$@" 2>&1; echo "helm exit $?"`, "sh", ...args], {
    timeoutMs: 420_000,
  });
  const code = /helm exit (\d+)\n?$/.exec(r.stdout)?.[1];
  return { ok: code === "0", out: r.stdout };
}

/** The same restricted namespace as on the bare control plane (kube/access.ts). */
export { restrictedNamespace } from "../kube/access.ts";

export interface PodStatus {
  metadata: { uid: string; name: string; deletionTimestamp?: string };
  spec: { containers: { name: string; startupProbe?: object; readinessProbe?: object; livenessProbe?: object }[] };
  status: {
    phase: string;
    conditions?: { type: string; status: string; lastTransitionTime: string }[];
    containerStatuses?: {
      name: string;
      ready: boolean;
      started?: boolean;
      restartCount: number;
      containerID?: string;
      state: { running?: { startedAt: string }; terminated?: object; waiting?: object };
    }[];
  };
}

export async function pod(c: Cluster, ns: string, name: string): Promise<PodStatus> {
  return JSON.parse(await c.kubectl(["-n", ns, "get", "pod", name, "-o", "json"])) as PodStatus;
}

export const isReady = (p: PodStatus): boolean =>
  p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True") ?? false;

export async function clusterIP(c: Cluster, ns: string, svc: string): Promise<string> {
  return (await c.kubectl(["-n", ns, "get", "service", svc, "-o", "jsonpath={.spec.clusterIP}"])).trim();
}
