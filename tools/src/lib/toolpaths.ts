// Paths of the pinned external tools that tools/toolchain.sh installs into .tools/bin.
// A missing tool is an error that names the command to install it, never a reason to skip.
import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { repoPath } from "./paths.ts";

export const TOOLS_DIR = process.env.TOOLS_DIR ?? repoPath(".tools");

export type ToolName =
  | "helm3"
  | "helm4"
  | "envoy"
  | "tailscaled"
  | "tailscale"
  | "containerboot"
  | "headscale"
  | "kubeconform"
  | "psa-check"
  | "registry"
  | "promtool"
  | "verdaccio"
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kubectl"
  | "kubelet"
  | "kube-scheduler"
  | "kube-proxy"
  | "coredns"
  | "pause";

const INSTALL_GROUP: Record<ToolName, string> = {
  helm3: "helm3",
  helm4: "helm4",
  envoy: "envoy",
  tailscaled: "tailscale",
  tailscale: "tailscale",
  containerboot: "tailscale",
  headscale: "headscale",
  kubeconform: "kubeconform",
  "psa-check": "psa",
  registry: "registry",
  promtool: "promtool",
  verdaccio: "verdaccio",
  etcd: "kube",
  "kube-apiserver": "kube",
  "kube-controller-manager": "kube",
  kubectl: "kube",
  kubelet: "node",
  "kube-scheduler": "node",
  "kube-proxy": "node",
  coredns: "node",
  pause: "node",
};

export class MissingToolError extends Error {}

const binary = (name: ToolName): string => join(TOOLS_DIR, "bin", name);

/** Throws one MissingToolError naming every tool that is not installed and the command that installs them. */
export function requireTools(names: readonly ToolName[]): void {
  const missing = names.filter((n) => !existsSync(binary(n)));
  if (missing.length === 0) return;
  const groups = [...new Set(missing.map((n) => INSTALL_GROUP[n]))];
  throw new MissingToolError(
    `${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not installed in ${join(TOOLS_DIR, "bin")}; ` +
      `install with: bash tools/toolchain.sh ${groups.join(" ")} (or everything: npm run tools)`,
  );
}

export function toolPath(name: ToolName): string {
  requireTools([name]);
  return binary(name);
}

/** How to install each tool taken from the system PATH: gpg and shellcheck through tools/toolchain.sh, the rest
 * are OS packages. */
const SYSTEM_INSTALL = {
  gpg: "bash tools/toolchain.sh gpg",
  shellcheck: "bash tools/toolchain.sh shellcheck",
  unshare: "apt-get install util-linux",
  setpriv: "apt-get install util-linux",
  sh: "apt-get install dash",
  ip: "apt-get install iproute2",
  openssl: "apt-get install openssl",
  nsenter: "apt-get install util-linux",
  mount: "apt-get install mount",
  sysctl: "apt-get install procps",
  containerd: "bash tools/toolchain.sh node",
  ctr: "bash tools/toolchain.sh node",
  runc: "bash tools/toolchain.sh node",
  iptables: "bash tools/toolchain.sh node",
} as const;
export type SystemToolName = keyof typeof SYSTEM_INSTALL;

/** The first executable `name` on PATH, or a MissingToolError naming how to install it. */
export function systemTool(name: SystemToolName): string {
  for (const dir of (process.env.PATH || "/usr/sbin:/usr/bin:/sbin:/bin").split(":").filter(Boolean)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here: keep looking
    }
  }
  throw new MissingToolError(`${name} is not on PATH; install it with: ${SYSTEM_INSTALL[name]}`);
}
