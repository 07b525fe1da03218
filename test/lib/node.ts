// What the tests on the local cluster's real node share: Helm and kubectl inside the cluster's namespace,
// restricted namespaces, the release's pod and Service, the demo targets, and containerd's view of a
// container (its host PID), so a test can kill or freeze one container the way a crash would.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { expect } from "vitest";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { systemTool } from "../../tools/src/lib/toolpaths.ts";
import type { Cluster } from "../../tools/src/local/cluster/cluster.ts";
import type { DemoTarget } from "../../tools/src/local/cluster/state.ts";
import { runCommand } from "../../tools/src/local/lab/procs.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";
import { nsExchange } from "./cluster.ts";

export const CHART = repoPath();
export const SOCKET = "/var/run/tailscale/tailscaled.sock";

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

export async function restrictedNamespace(c: Cluster, name: string): Promise<string> {
  await c.kubectl(["create", "namespace", name]);
  await c.kubectl([
    "label",
    "namespace",
    name,
    "pod-security.kubernetes.io/enforce=restricted",
    "pod-security.kubernetes.io/warn=restricted",
  ]);
  return name;
}

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

/** The host PID of a container's main process, from containerd. */
export async function containerPid(c: Cluster, p: PodStatus, container: string): Promise<number> {
  const id = containerId(p, container);
  const { stdout } = await ctr(c, ["task", "ls"]);
  const line = stdout.split("\n").find((l) => l.startsWith(id));
  const pid = Number(line?.split(/\s+/)[1]);
  if (!pid) throw new Error(`no task for ${container} (${id}) in:\n${stdout}`);
  return pid;
}

export async function ctr(c: Cluster, args: readonly string[]) {
  return runCommand(systemTool("ctr"), ["--address", c.layout.containerdSocket, "-n", "k8s.io", ...args]);
}

export function containerId(p: PodStatus, container: string): string {
  const id = p.status.containerStatuses
    ?.find((s) => s.name === container)
    ?.containerID?.replace(/^containerd:\/\//, "");
  if (!id) throw new Error(`no container ${container} in ${p.metadata.name}`);
  return id;
}

/** GET a path of the release's health port from the node; the status code, or 0 when nothing answered. */
export async function healthStatus(c: Cluster, ip: string, port: number, urlPath: string): Promise<number> {
  const req = `GET ${urlPath} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
  const r = await nsExchange(c, ip, port, req, Number.MAX_SAFE_INTEGER, 5_000); // until Envoy closes
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(r.data.toString("latin1"))?.[1] ?? 0);
}

/** One tagged-echo exchange through a Service port: the reply must be exactly "<tag>:" + payload. */
export async function expectEcho(c: Cluster, ip: string, port: number, tag: string, size = 64 * 1024): Promise<void> {
  const payload = Buffer.alloc(size, 0);
  for (let i = 0; i < size; i++) payload[i] = (i * 7 + port) & 0xff;
  const want = Buffer.concat([Buffer.from(`${tag}:`), payload]);
  const r = await nsExchange(c, ip, port, payload, want.length);
  expect(r.data.length, `${ip}:${port} reply length`).toBe(want.length);
  expect(r.data.equals(want), `${ip}:${port} bytes`).toBe(true);
}

/** A figure the note and README quote: printed with a fixed prefix so a run's log can be searched. */
export function measured(what: string, value: string): void {
  console.log(`[measured] ${what}: ${value}`);
}
