// Golden tests: each test/helm/<case>.in.yaml renders, with Helm 3 and Helm 4, to exactly <case>.out.yaml,
// and each bundled example examples/<name>.yaml to test/helm/examples/<name>.out.yaml.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { execa } from "execa";
import { HELM_MAJORS, render } from "../helm/helm.ts";
import { repoPath } from "../lib/paths.ts";

export const GOLDEN_DIR = repoPath("test/helm");

export interface GoldenCase {
  name: string;
  input: string;
  output: string;
}

export const EXAMPLES_DIR = repoPath("examples");

/** Every <case>.in.yaml of dir; with the default dir also every bundled examples/<name>.yaml, to test/helm/examples/<name>.out.yaml. */
export async function goldenCases(dir = GOLDEN_DIR): Promise<GoldenCase[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".in.yaml")).sort();
  const cases = files.map((f) => {
    const name = basename(f, ".in.yaml");
    return { name, input: join(dir, f), output: join(dir, `${name}.out.yaml`) };
  });
  if (dir !== GOLDEN_DIR) return cases;
  const examples = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith(".yaml")).sort();
  return [
    ...cases,
    ...examples.map((f) => {
      const name = basename(f, ".yaml");
      return { name: `examples/${name}`, input: join(EXAMPLES_DIR, f), output: join(GOLDEN_DIR, "examples", `${name}.out.yaml`) };
    }),
  ];
}

export interface GoldenResult {
  name: string;
  ok: boolean;
  problems: string[];
}

export async function checkCase(c: GoldenCase, update: boolean): Promise<GoldenResult> {
  const problems: string[] = [];
  const [first, ...others] = await Promise.all(HELM_MAJORS.map((major) => render({ major, valuesFiles: [c.input] })));
  const rendered = first ?? "";
  others.forEach((out, i) => {
    if (out !== rendered) problems.push(`helm ${HELM_MAJORS[i + 1]} output differs from helm ${HELM_MAJORS[0]}:\n${textDiff(rendered, out)}`);
  });
  const expected = await readFile(c.output, "utf8").catch(() => undefined);
  if (update) {
    if (expected !== rendered) await mkdir(dirname(c.output), { recursive: true }).then(() => writeFile(c.output, rendered));
  } else if (expected === undefined) {
    problems.push(`${c.output} does not exist (run: npm run golden -- --update, then review the new file)`);
  } else if (expected !== rendered) {
    problems.push(`${c.output} is out of date (review, then run: npm run golden -- --update):\n${await unifiedDiff(c.output, rendered)}`);
  }
  return { name: c.name, ok: problems.length === 0, problems };
}

async function unifiedDiff(file: string, actual: string): Promise<string> {
  const r = await execa("diff", ["-u", "--label", "golden", "--label", "rendered", file, "-"], { input: actual, reject: false });
  return r.stdout.split("\n").slice(0, 200).join("\n");
}

function textDiff(a: string, b: string): string {
  const la = a.split("\n");
  const lb = b.split("\n");
  const i = la.findIndex((line, n) => line !== lb[n]);
  return `first difference at line ${i + 1}:\n- ${la[i] ?? "<end>"}\n+ ${lb[i] ?? "<end>"}`;
}
