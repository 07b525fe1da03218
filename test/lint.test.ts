// helm lint --strict is clean for every golden case and example, with Helm 3 and Helm 4.
import { describe, expect, it } from "vitest";
import { helm, HELM_MAJORS } from "../tools/src/helm/helm.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i lint --strict", (major) => {
  it.each(goldenCases().map((c) => [c.name, c] as const))("%s", async (_n, c) => {
    const r = await helm(major, ["lint", "--strict", repoPath(), "-f", c.file]);
    expect(r.stdout + r.stderr).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.exitCode).toBe(0);
  });
});
