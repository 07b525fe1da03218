// Locates the pinned test binaries in .tools/bin. A missing binary is an error that names the
// command to install it: e2e tests never skip silently.
import path from "node:path";
import { requireTools, toolPath, TOOLS_DIR } from "../../lib/toolpaths.ts";

export { systemTool } from "../../lib/toolpaths.ts";

/** Where tools/toolchain.sh installs binaries (honours TOOLS_DIR, like every other tool lookup). */
export const TOOLS_BIN = path.join(TOOLS_DIR, "bin");

export type LabBinary = "tailscaled" | "tailscale" | "containerboot" | "headscale";

/** The binary's path; a missing one throws an error naming its install command (tools/src/lib/toolpaths.ts). */
export function binPath(name: LabBinary): string {
  return toolPath(name);
}

/** Throws (naming the install command) unless every listed binary is present. */
export function requireBinaries(names: readonly LabBinary[]): void {
  requireTools(names);
}
