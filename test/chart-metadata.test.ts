// Chart.yaml metadata that Artifact Hub and `helm show chart` display stays true to the values model.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Values } from "../tools/src/generated/values.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { chartDefaults } from "../tools/src/values/load.ts";

const chart = parse(readFileSync(repoPath("Chart.yaml"), "utf8")) as {
  version: string;
  appVersion: string;
  kubeVersion: string;
  home: string;
  sources: string[];
  icon: string;
  keywords: string[];
  maintainers: { name: string }[];
  annotations: Record<string, string>;
};
const defaults = (await chartDefaults()) as unknown as Values;
const ref = (i: { registry: string; repository: string; tag: string }) => `${i.registry}/${i.repository}:${i.tag}`;

describe("Chart.yaml", () => {
  it("keeps the fixed development version (npm run package stamps the release) and kubeVersion", () => {
    expect(chart.version).toBe("0.0.0-dev");
    expect(chart.kubeVersion).toBe(">=1.23.0-0");
  });

  it("lists exactly the default images in artifacthub.io/images", () => {
    const images = (parse(chart.annotations["artifacthub.io/images"]!) as { image: string }[]).map((i) => i.image);
    expect(images).toEqual([ref(defaults.envoy.image), ref(defaults.tailscale.image), ref(defaults.tests.image)]);
  });

  it("has appVersion equal to the Tailscale image tag", () => {
    expect(`v${chart.appVersion}`).toBe(defaults.tailscale.image.tag);
  });

  it("has the license of package.json and a LICENSE file", () => {
    const pkg = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { license: string };
    expect(chart.annotations["artifacthub.io/license"]).toBe(pkg.license);
    expect(readFileSync(repoPath("LICENSE"), "utf8")).toContain(
      "Apache License\n                           Version 2.0",
    );
  });

  it("announces in artifacthub.io/changes only what CHANGELOG.md's top section says", () => {
    const changes = parse(chart.annotations["artifacthub.io/changes"]!) as { kind: string; description: string }[];
    const top = readFileSync(repoPath("CHANGELOG.md"), "utf8").split(/\n## /)[1] ?? "";
    const words = (s: string): string[] => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    for (const c of changes) {
      expect(["added", "changed", "deprecated", "removed", "fixed", "security"] as string[]).toContain(c.kind);
      expect(top.toLowerCase()).toContain(`### ${c.kind}`);
      // Every word of the entry appears in the changelog section.
      expect(words(c.description).filter((w) => !words(top).includes(w))).toEqual([]);
    }
  });

  it("has home, sources, icon, keywords and maintainers", () => {
    expect(chart.sources).toContain(chart.home);
    expect(chart.icon.startsWith(chart.home)).toBe(true);
    expect(chart.keywords).toEqual(expect.arrayContaining(["tailscale", "f5xc"]));
    expect(chart.maintainers.length).toBeGreaterThan(0);
  });
});
