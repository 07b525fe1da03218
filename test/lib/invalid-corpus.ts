// The corpus of invalid values in test/invalid/: each file is wrong in one way and declares, in comment lines
// at its top, what the validators must say about it:
//   # <what is wrong>                      (first line)
//   # expect: <fragment>                   every validator: Helm 3, Helm 4 and the TS CLI
//   # expect-helm3: / expect-helm4: / expect-ts: <fragment>   one validator (schema errors are phrased
//                                          differently by each: gojsonschema, santhosh-tekuri, ajv)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { repoPath } from "../../tools/src/lib/paths.ts";

export const VALIDATORS = ["helm3", "helm4", "ts"] as const;
export type Validator = (typeof VALIDATORS)[number];

export interface InvalidCase {
  name: string;
  file: string;
  why: string;
  expect: Record<Validator, string[]>;
}

export function invalidCases(): InvalidCase[] {
  const dir = repoPath("test/invalid");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => parseCase(f.replace(/\.yaml$/, ""), join(dir, f)));
}

export function parseCase(name: string, file: string): InvalidCase {
  const lines = readFileSync(file, "utf8").split("\n");
  const why = /^# (.+)$/.exec(lines[0] ?? "")?.[1];
  if (!why || why.startsWith("expect")) throw new Error(`${file}: the first line must be '# <what is wrong>'`);
  const expect: Record<Validator, string[]> = { helm3: [], helm4: [], ts: [] };
  for (const line of lines.slice(1)) {
    const m = /^# expect(?:-(helm3|helm4|ts))?: (.+)$/.exec(line);
    if (!m) continue;
    for (const v of m[1] ? [m[1] as Validator] : VALIDATORS) expect[v].push(m[2]!);
  }
  for (const v of VALIDATORS) if (expect[v].length === 0) throw new Error(`${file}: no expected message for ${v}`);
  return { name, file, why, expect };
}

/** The TS validate CLI, as a user runs it. */
export async function tsValidate(file: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa("node", [repoPath("bin/tailnet-egress.js"), "validate", "-f", file], { reject: false });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** The message of a template `fail`, as Helm prints it, or undefined when Helm failed otherwise. */
export function helmFailMessage(stderr: string): string | undefined {
  return /execution error at \(tailscale-egress\/templates\/[^)]*\): (.*)/.exec(stderr)?.[1]?.trim();
}

/** JSON pointers of the fields a schema error names, in each validator's phrasing. */
export function schemaErrorPointers(v: Validator, stderr: string): string[] {
  const items = stderr.split("\n").filter((l) => l.startsWith("- "));
  const pointers = items.map((l) => {
    if (v === "helm4") return /^- at '([^']*)'/.exec(l)?.[1] ?? `?${l}`;
    const path = /^- (.*?): /.exec(l)?.[1] ?? `?${l}`;
    if (path === "(root)" || path === "(top level)") return "";
    return `/${(v === "helm3" ? path : path.replace(/\[(\d+)\]/g, ".$1")).split(".").join("/")}`;
  });
  return [...new Set(pointers)].sort();
}
