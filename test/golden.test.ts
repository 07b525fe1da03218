// Every golden case renders byte-identical with Helm 3 and Helm 4 and equals its reviewed .out.yaml.
import { describe, expect, it } from "vitest";
import { checkCase, goldenCases } from "../tools/src/golden/golden.ts";

const cases = await goldenCases();

describe("golden cases", () => {
  it("has the cases the project promises", () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s: helm 3 == helm 4 == golden", async (_name, c) => {
    const r = await checkCase(c, false);
    expect(r.problems.join("\n\n")).toBe("");
  });
});
