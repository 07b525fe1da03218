// Names, addresses and paths of one local cluster. Every address here exists only inside the cluster's own
// network namespace, so two clusters may use the same ones at once; the names that the host sees (the
// namespace, the cgroup root, the state directory) carry the cluster's name.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const NODE_IP = "10.99.0.2";
export const POD_CIDR = "10.244.0.0/24";
export const CLUSTER_CIDR = "10.244.0.0/16";
export const SERVICE_CIDR = "10.0.0.0/24";
export const API_SERVICE_IP = "10.0.0.1";
export const DNS_SERVICE_IP = "10.0.0.10";
export const API_PORT = 6443;
export const CLUSTER_DOMAIN = "cluster.local";

export interface Layout {
  readonly name: string;
  /** State directory: PKI, configs, logs, containerd's root, the state file. */
  readonly dir: string;
  /** The network namespace (ip netns name). */
  readonly netns: string;
  /** Top cgroup (in every v1 hierarchy, or in the unified one) that holds the pods. */
  readonly cgroupRoot: string;
  readonly nodeName: string;
  /** The node's veth pair: both ends stay in the namespace (the node IP sits on the first). */
  readonly veth: readonly [string, string];
  readonly bridge: string;
  readonly containerdSocket: string;
  /** Admin kubeconfig (server https://127.0.0.1:6443, valid inside the namespace). */
  readonly kubeconfig: string;
  /** JSON written by the supervisor when the cluster is ready (see supervisor.ts). */
  readonly stateFile: string;
  readonly supervisorLog: string;
}

export const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/;

/** Where clusters keep their state unless TAILNET_EGRESS_CLUSTER_DIR says otherwise. */
export function clustersRoot(): string {
  return process.env.TAILNET_EGRESS_CLUSTER_DIR ?? path.join(os.tmpdir(), "tailnet-egress-clusters");
}

export function layout(name: string): Layout {
  if (!NAME_RE.test(name)) {
    throw new Error(`cluster name "${name}": use 1-16 lowercase letters, digits and dashes`);
  }
  const dir = path.join(clustersRoot(), name);
  return {
    name,
    dir,
    netns: `tse-${name}`,
    cgroupRoot: `tse-${name}`,
    nodeName: `tse-${name}`,
    veth: ["tse0", "tse0p"],
    bridge: "tsecni0",
    containerdSocket: path.join(dir, "run", "containerd.sock"),
    kubeconfig: path.join(dir, "admin.kubeconfig"),
    stateFile: path.join(dir, "cluster.json"),
    supervisorLog: path.join(dir, "supervisor.log"),
  };
}

const CGROUP_FS = "/sys/fs/cgroup";

/** Whether the host mounts the unified cgroup v2 hierarchy at /sys/fs/cgroup (else one v1 hierarchy a dir). */
export function cgroupUnified(): boolean {
  return fs.existsSync(path.join(CGROUP_FS, "cgroup.controllers"));
}

/** The cluster's top cgroup in each hierarchy: the unified one (v2), or every v1 hierarchy (not its aliases, such
 * as a `cpu` link to `cpu,cpuacct`). They need not exist. */
export function cgroupTops(l: Layout): string[] {
  const hierarchies = cgroupUnified()
    ? [CGROUP_FS]
    : fs
        .readdirSync(CGROUP_FS)
        .map((c) => path.join(CGROUP_FS, c))
        .filter((c) => !fs.lstatSync(c).isSymbolicLink() && fs.existsSync(path.join(c, "cgroup.procs")));
  return hierarchies.map((h) => path.join(h, l.cgroupRoot));
}
