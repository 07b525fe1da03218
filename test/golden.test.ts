// Every golden case renders byte-identical with Helm 3 and Helm 4 and equals its reviewed .out.yaml, and its
// F5 XC objects and apply script equal its reviewed .f5xc.json and .apply.sh. `golden --update` rewrites all.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { checkCase } from "../tools/src/golden/golden.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";

const cases = goldenCases();

describe("golden cases", () => {
  it("has the cases the project promises", () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
    for (const c of ["network-policy", "service-monitor", "no-access-log"])
      expect(cases.map((x) => x.name.slice(3))).toContain(c);
  });
  it.each(cases.map((c) => [c.name, c] as const))(
    "%s: helm 3 == helm 4 == .out.yaml, f5xc == .f5xc.json and .apply.sh",
    async (_name, c) => {
      const r = await checkCase(c, false);
      expect(r.problems.join("\n\n")).toBe("");
    },
  );
});

describe("tailnet-egress golden", () => {
  it("reports missing and stale goldens, and --update rewrites every kind", async () => {
    const [real] = cases;
    const dir = tempDir("tse-golden");
    try {
      copyFileSync(real!.file, join(dir, `${real!.name}.in.yaml`));
      const [c] = goldenCases(dir);
      writeFileSync(c!.f5xcOut, "{}\n");
      const golden = (...args: string[]) =>
        execa("node", [repoPath("bin/tailnet-egress.js"), "golden", "--dir", dir, ...args], { reject: false });
      const check = await golden();
      expect(check.exitCode).toBe(1);
      expect(check.stdout).toContain(`FAIL ${real!.name}`);
      expect(check.stdout).toContain(`${c!.helmOut} does not exist`);
      expect(check.stdout).toContain(`${c!.f5xcOut} is out of date`);
      expect(check.stdout).toContain(`${c!.applyOut} does not exist`);
      expect((await golden("--update")).exitCode).toBe(0);
      for (const out of ["helmOut", "f5xcOut", "applyOut"] as const)
        expect(readFileSync(c![out], "utf8")).toBe(readFileSync(real![out], "utf8"));
      expect((await golden()).stdout).toBe(`ok   ${real!.name}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
