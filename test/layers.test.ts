// Product code never imports tests: the CLI (npm start included), the bin wrapper and the benchmarks import
// only from tools/ and packages, never from test/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../tools/src/lib/paths.ts";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "node_modules" ? [] : sources(p);
    return /\.(ts|js|mjs)$/.test(name) ? [p] : [];
  });
}

/** The relative module specifiers a file imports (static, dynamic and re-exports). */
function importsOf(text: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;
  return [...text.matchAll(re)].map((m) => m[1]!);
}

describe("layers", () => {
  it("finds imports of every form (the check itself can fail)", () => {
    expect(
      importsOf(`import a from "../test/x.ts";\nexport { b } from "./y.ts";\nawait import("../../test/z.ts");`),
    ).toEqual(["../test/x.ts", "./y.ts", "../../test/z.ts"]);
  });

  it("nothing under tools/, bin/ or bench/ imports from test/", () => {
    const test = resolve(REPO_ROOT, "test");
    const offenders = ["tools", "bin", "bench"].flatMap((top) =>
      sources(join(REPO_ROOT, top)).flatMap((file) =>
        importsOf(readFileSync(file, "utf8"))
          .filter((spec) => resolve(dirname(file), spec).startsWith(`${test}/`))
          .map((spec) => `${relative(REPO_ROOT, file)} imports ${spec}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it("temp dirs under the system temp dir are made only by tools/src/local/lab/tempdirs.ts", () => {
    const owner = join(REPO_ROOT, "tools/src/local/lab/tempdirs.ts");
    const offenders = ["tools", "bin", "bench", "test"].flatMap((top) =>
      sources(join(REPO_ROOT, top))
        .filter(
          (file) =>
            file !== owner && /\bmkdtemp(Sync)?\(\s*(path\.)?join\(\s*(os\.)?tmpdir\(/.test(readFileSync(file, "utf8")),
        )
        .map((file) => relative(REPO_ROOT, file)),
    );
    expect(offenders).toEqual([]);
  });

  it("code and templates name no tracker issue (upstream references such as 'envoy issues #123' are fine)", () => {
    const tracker = /\bissue \d+\b/i;
    const files = [
      ...["tools", "bin", "bench", "test"].flatMap((top) => sources(join(REPO_ROOT, top))),
      ...["templates", "templates/tests", "files"].flatMap((d) =>
        readdirSync(join(REPO_ROOT, d))
          .map((n) => join(REPO_ROOT, d, n))
          .filter((f) => statSync(f).isFile()),
      ),
    ];
    expect(tracker.test(["see", "issue", "14"].join(" "))).toBe(true);
    expect(files.filter((f) => tracker.test(readFileSync(f, "utf8"))).map((f) => relative(REPO_ROOT, f))).toEqual([]);
  });
});
