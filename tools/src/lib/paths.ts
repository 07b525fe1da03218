// Paths inside the repository, independent of the current directory. In the npm package (tools/src/release/npm.ts)
// the bundle stands where this module stood, and the build defines TAILNET_EGRESS_BUNDLE_ROOT, the way from the
// bundle's directory to the package's root, which holds the same data files (values.yaml, package.json).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

declare const TAILNET_EGRESS_BUNDLE_ROOT: string | undefined;

const FROM_HERE = typeof TAILNET_EGRESS_BUNDLE_ROOT === "string" ? TAILNET_EGRESS_BUNDLE_ROOT : join("..", "..", "..");

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), FROM_HERE);

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}
