// The state file a running cluster's supervisor writes when it is ready; `cluster exec` and the tests read it.
// (The supervisor's PID and namespace records, which `cluster down` trusts, are in ownership.ts.)
import fs from "node:fs";
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
  /** When the supervisor started (ms since the epoch). */
  startedAt: number;
  /** Seconds since the supervisor started, per step ("node Ready", "cluster DNS", "demo tailnets", ...). */
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
