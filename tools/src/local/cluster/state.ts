// The state file a running cluster's supervisor writes when it is ready, and the supervisor's PID file that
// `cluster up` writes as soon as it has started it. `cluster down` and `cluster exec` read them.
import fs from "node:fs";
import { cmdline } from "../proc.ts";
import type { Layout } from "./layout.ts";

export interface DemoTarget {
  tailnet: string;
  hostname: string;
  ipv4: string;
  /** Tagged echo port (reply = "<hostname>:" + sent bytes). */
  port: number;
  /** HTTP hello port (also an echo for anything else). */
  helloPort: number;
}

export interface ClusterState {
  name: string;
  /** The supervisor: everything of the cluster runs in its network and mount namespaces. */
  pid: number;
  netns: string;
  kubeconfig: string;
  nodeIP: string;
  /** kubelet syncFrequency ("default" = the kubelet's own, 1m). */
  syncFrequency: string;
  /** Seconds since the supervisor started, per step. */
  timings: Record<string, number>;
  /** With --demo: the values file for the two demo tailnets, and their targets. */
  values?: string;
  demo?: DemoTarget[];
}

export function writeState(l: Layout, s: ClusterState): void {
  const tmp = `${l.stateFile}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  fs.renameSync(tmp, l.stateFile);
}

export function readState(l: Layout): ClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(l.stateFile, "utf8")) as ClusterState;
  } catch {
    return undefined;
  }
}

const pidFile = (l: Layout): string => `${l.dir}/supervisor.pid`;

export function writeSupervisorPid(l: Layout, pid: number): void {
  fs.writeFileSync(pidFile(l), `${pid}\n`);
}

/** The supervisor's PID if that process is still this cluster's supervisor (not a reused PID). */
export function livingSupervisor(l: Layout): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile(l), "utf8").trim());
  } catch {
    return undefined;
  }
  const args = cmdline(pid) ?? [];
  const i = args.indexOf("supervise");
  return i > 0 && args[i + 1] === l.name ? pid : undefined;
}
