// Locates the pinned test binaries in .tools/bin. A missing binary is an error that names the
// command to install it: e2e tests never skip silently.
import fs from "node:fs";
import path from "node:path";
import { toolPath, TOOLS_DIR } from "../../lib/toolpaths.ts";
export { REPO_ROOT } from "../../lib/paths.ts";

/** Where tools/toolchain.sh installs binaries (honours TOOLS_DIR, like every other tool lookup). */
export const TOOLS_BIN = path.join(TOOLS_DIR, "bin");

export type LabBinary = "tailscaled" | "tailscale" | "containerboot" | "headscale";

/** The binary's path; a missing one throws an error naming its install command (tools/src/lib/toolpaths.ts). */
export function binPath(name: LabBinary): string {
  return toolPath(name);
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
