// Every rendered manifest is valid Kubernetes, in strict mode (unknown fields are errors), against the
// official OpenAPI schemas of 1.23 (F5 XC virtual K8s) and of the newest release pinned. Rendered with the
// matching --kube-version, and with the optional objects turned on.
import { describe, expect, it } from "vitest";
import { render, type HelmMajor } from "../tools/src/helm/helm.ts";
import { kubernetesVersionOf, validateManifests, type KubeVersion } from "./lib/kubeconform.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { valuesOf } from "./lib/cases.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const levels: [KubeVersion, HelmMajor][] = [
  ["1.23", 3],
  ["latest", 4],
];
const optional = tmpValues({
  networkPolicy: { enabled: true, from: [{ namespaceSelector: { matchLabels: { team: "f5xc" } } }] },
  podDisruptionBudget: { enabled: true },
});

describe.each(levels)("Kubernetes %s (rendered with helm %i)", (level, major) => {
  const kubeVersion = kubernetesVersionOf(level);
  it.each(goldenCases().map((c) => [c.name, c] as const))("%s is valid in strict mode", async (_n, c) => {
    const text = await render({ major, valuesFiles: [c.file, optional], kubeVersion });
    const r = await validateManifests(text, level);
    expect(r.errors).toEqual([]);
    // Every kind that renders is validated, the helm test hook (a Job, or a Pod with tests.kind Pod) too.
    const { tests } = await valuesOf(c.file);
    const hook = tests.enabled ? [tests.kind] : [];
    expect(r.resources.map((x) => x.kind)).toEqual(
      expect.arrayContaining(["StatefulSet", "Service", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget", ...hook]),
    );
    expect(r.ok).toBe(true);
  });
});

describe("Chart.yaml kubeVersion matches what is tested", () => {
  it("refuses Kubernetes older than 1.23", async () => {
    await expect(render({ major: 3, valuesFiles: [goldenCases()[0]!.file], kubeVersion: "1.22.0" })).rejects.toThrow(
      /kubeVersion/,
    );
  });
});
