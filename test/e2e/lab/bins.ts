// Locates the pinned test binaries in .tools/bin. A missing binary is an error that names the
// command to install it: e2e tests never skip silently.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const TOOLS_BIN = path.join(REPO_ROOT, ".tools", "bin");

export type LabBinary = "tailscaled" | "tailscale" | "containerboot" | "headscale";

const INSTALL_HINT: Record<LabBinary, string> = {
  tailscaled: "bash tools/toolchain.sh tailscale headscale",
  tailscale: "bash tools/toolchain.sh tailscale headscale",
  containerboot: "bash tools/toolchain.sh tailscale headscale",
  headscale: "bash tools/toolchain.sh tailscale headscale",
};

export function binPath(name: LabBinary): string {
  const p = path.join(TOOLS_BIN, name);
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    throw new Error(`lab binary '${name}' not found at ${p}; install it with: ${INSTALL_HINT[name]}`);
  }
  return p;
}

/** Throws (naming the install command) unless every listed binary is present. */
export function requireBinaries(names: readonly LabBinary[]): void {
  const missing = names.filter((n) => {
    try {
      binPath(n);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(
      `e2e lab binaries missing from ${TOOLS_BIN}: ${missing.join(", ")}. ` +
        `Install them with: bash tools/toolchain.sh tailscale headscale`,
    );
  }
}

/** Resolve a system tool (unshare, mount, ...) on PATH or throw. */
export function systemTool(name: string): string {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  throw new Error(`system tool '${name}' not found on PATH (util-linux is required for the e2e lab)`);
}
