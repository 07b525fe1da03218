// Golden tests: each golden case (tools/src/golden/cases.ts) renders, with Helm 3 and Helm 4, to exactly
// <case>.out.yaml, and its F5 XC objects and apply script are exactly <case>.f5xc.json and <case>.apply.sh.
// --update rewrites all three for review.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { execa } from "execa";
import { GOLDEN_API_VERSIONS, HELM_MAJORS, render } from "../helm/helm.ts";
import type { GoldenCase } from "./cases.ts";
import { renderF5xc } from "./f5xc.ts";

export interface GoldenResult {
  name: string;
  ok: boolean;
  problems: string[];
}

export async function checkCase(c: GoldenCase, update: boolean): Promise<GoldenResult> {
  const problems: string[] = [];
  const [first, ...others] = await Promise.all(
    HELM_MAJORS.map((major) => render({ major, valuesFiles: [c.file], apiVersions: GOLDEN_API_VERSIONS })),
  );
  const rendered = first ?? "";
  others.forEach((out, i) => {
    if (out !== rendered)
      problems.push(
        `helm ${HELM_MAJORS[i + 1]} output differs from helm ${HELM_MAJORS[0]}:\n${textDiff(rendered, out)}`,
      );
  });
  const f5xc = await renderF5xc(c.file);
  for (const [golden, actual] of [
    [c.helmOut, rendered],
    [c.f5xcOut, f5xc.objects],
    [c.applyOut, f5xc.applyScript],
  ] as const) {
    problems.push(...(await compare(golden, actual, update)));
  }
  return { name: c.name, ok: problems.length === 0, problems };
}

/** Problems of one golden file against what was rendered; with update, rewrites it instead. */
async function compare(golden: string, actual: string, update: boolean): Promise<string[]> {
  const expected = await readFile(golden, "utf8").catch(() => undefined);
  if (update) {
    if (expected !== actual) await mkdir(dirname(golden), { recursive: true }).then(() => writeFile(golden, actual));
    return [];
  }
  if (expected === undefined)
    return [`${golden} does not exist (run: npm run golden -- --update, then review the new file)`];
  if (expected !== actual)
    return [
      `${golden} is out of date (review, then run: npm run golden -- --update):\n${await unifiedDiff(golden, actual)}`,
    ];
  return [];
}

async function unifiedDiff(file: string, actual: string): Promise<string> {
  const r = await execa("diff", ["-u", "--label", "golden", "--label", "rendered", file, "-"], {
    input: actual,
    reject: false,
  });
  return r.stdout.split("\n").slice(0, 200).join("\n");
}

function textDiff(a: string, b: string): string {
  const la = a.split("\n");
  const lb = b.split("\n");
  const i = la.findIndex((line, n) => line !== lb[n]);
  return `first difference at line ${i + 1}:\n- ${la[i] ?? "<end>"}\n+ ${lb[i] ?? "<end>"}`;
}
