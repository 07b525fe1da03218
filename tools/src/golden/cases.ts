// The golden cases: each test/helm/<case>.in.yaml with its reviewed outputs next to it, and each bundled
// examples/<name>.yaml with its reviewed outputs in test/helm/examples/.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { repoPath } from "../lib/paths.ts";

export const GOLDEN_DIR = repoPath("test/helm");
export const EXAMPLES_DIR = repoPath("examples");

export interface GoldenCase {
  /** <case>, or examples/<name> for a bundled example. */
  name: string;
  /** The values: <case>.in.yaml, or examples/<name>.yaml. */
  file: string;
  /** <case>.out.yaml: what helm template renders (Helm 3 and Helm 4 alike). */
  helmOut: string;
  /** <case>.f5xc.json: the F5 XC objects and pool table tailnet-egress f5xc makes for the release. */
  f5xcOut: string;
  /** <case>.apply.sh: the script tailnet-egress f5xc --out writes next to those objects. */
  applyOut: string;
}

const goldenCase = (name: string, file: string, outBase: string): GoldenCase => ({
  name,
  file,
  helmOut: `${outBase}.out.yaml`,
  f5xcOut: `${outBase}.f5xc.json`,
  applyOut: `${outBase}.apply.sh`,
});

const yamlFiles = (dir: string, suffix: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();

/** Every <case>.in.yaml of dir; with the default dir also every bundled example, after the cases. */
export function goldenCases(dir = GOLDEN_DIR): GoldenCase[] {
  const cases = yamlFiles(dir, ".in.yaml").map((f) => {
    const name = basename(f, ".in.yaml");
    return goldenCase(name, join(dir, f), join(dir, name));
  });
  if (dir !== GOLDEN_DIR) return cases;
  const examples = yamlFiles(EXAMPLES_DIR, ".yaml").map((f) => {
    const name = basename(f, ".yaml");
    return goldenCase(`examples/${name}`, join(EXAMPLES_DIR, f), join(GOLDEN_DIR, "examples", name));
  });
  return [...cases, ...examples];
}
