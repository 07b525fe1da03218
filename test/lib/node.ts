// What the tests on the local cluster's real node share beyond the release helpers (Helm and kubectl inside the
// cluster's namespace, the release's pod and Service, the demo targets: tools/src/local/cluster/release.ts, shared
// with the cluster benchmark): containerd's view of a container (its host PID), so a test can kill or freeze one
// container the way a crash would, the health port, and byte-exact echo checks.
import { expect } from "vitest";
import { systemTool } from "../../tools/src/lib/toolpaths.ts";
import type { Cluster } from "../../tools/src/local/cluster/cluster.ts";
import type { PodStatus } from "../../tools/src/local/cluster/release.ts";
import { runCommand } from "../../tools/src/local/lab/procs.ts";
import { nsExchange } from "./cluster.ts";

export {
  CHART,
  clusterIP,
  demoTarget,
  demoValues,
  helm,
  helmTry,
  isReady,
  pod,
  restrictedNamespace,
  type DemoValues,
  type PodStatus,
} from "../../tools/src/local/cluster/release.ts";

export const SOCKET = "/var/run/tailscale/tailscaled.sock";

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
