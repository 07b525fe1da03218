// Paths of the pinned external tools that tools/toolchain.sh installs into .tools/bin.
// A missing tool is an error that names the command to install it, never a reason to skip.
import { existsSync } from "node:fs";
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
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kubectl";

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
  etcd: "kube",
  "kube-apiserver": "kube",
  "kube-controller-manager": "kube",
  kubectl: "kube",
};

export class MissingToolError extends Error {}

export function toolPath(name: ToolName): string {
  const path = `${TOOLS_DIR}/bin/${name}`;
  if (!existsSync(path)) {
    throw new MissingToolError(`${name} is not installed at ${path}; install it with: bash tools/toolchain.sh ${INSTALL_GROUP[name]}`);
  }
  return path;
}

/** A tool taken from the system PATH (tools/toolchain.sh installs it with the OS package manager). */
export function systemToolPath(name: "gpg"): string {
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
    if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new MissingToolError(`${name} is not on PATH; install it with: bash tools/toolchain.sh ${name}`);
}
