// The tools a local cluster needs, listed once: `cluster up` checks them all before it starts anything (one error
// naming every missing tool and its install command), and the supervisor checks the ones it runs itself.
import { requireTools, systemTool, type SystemToolName, type ToolName } from "../../lib/toolpaths.ts";

/** The pinned tools the supervisor runs: the control plane and the node's Kubernetes components. */
export const NODE_TOOLS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kubectl",
  "kubelet",
  "kube-scheduler",
  "kube-proxy",
] as const satisfies readonly ToolName[];

/** What the node's images are built from (cluster/images.ts), and Helm for `cluster exec`. */
const IMAGE_AND_EXEC_TOOLS = [
  "coredns",
  "pause",
  "envoy",
  "tailscaled",
  "tailscale",
  "containerboot",
  "helm3",
] as const satisfies readonly ToolName[];

/** From the system PATH (OS packages): the container runtime, iptables and util-linux/iproute2. */
const SYSTEM_TOOLS = [
  "containerd",
  "ctr",
  "runc",
  "iptables",
  "nsenter",
  "unshare",
  "mount",
  "ip",
] as const satisfies readonly SystemToolName[];

/** Throws a MissingToolError unless everything `cluster up` (with `--demo`: headscale too) needs is installed. */
export function requireClusterTools(demo: boolean): void {
  requireTools([...NODE_TOOLS, ...IMAGE_AND_EXEC_TOOLS, ...(demo ? (["headscale"] as const) : [])]);
  for (const t of SYSTEM_TOOLS) systemTool(t);
}
