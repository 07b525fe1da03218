// The chart's rendered ConfigMap (byte for byte) and Service must equal the TS plan, for every golden case
// and example.
import { describe, expect, it } from "vitest";
import { planEnvoy } from "../tools/src/plan/envoy.ts";
import { GOLDEN_RELEASE, HELM_MAJORS } from "../tools/src/helm/helm.ts";
import { envoyConfigMapData, envoyFiles, servicePorts } from "../tools/src/helm/manifests.ts";
import { configMapData } from "../tools/src/plan/configmap.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { manifestsOf, valuesOf } from "./lib/cases.ts";

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i: chart agrees with the TS plan", (major) => {
  it.each(goldenCases().map((c) => [c.name, c] as const))("%s", async (_n, c) => {
    const manifests = await manifestsOf(c.file, major);
    const plan = planEnvoy(await valuesOf(c.file), GOLDEN_RELEASE);
    expect(envoyFiles(manifests)).toEqual(plan.files);
    // Byte for byte, so the size the CLI checks is the size the API server sees.
    expect(envoyConfigMapData(manifests)).toEqual(configMapData(plan.files));
    const health = plan.ports.reserved.find((r) => r.name === "health")!;
    expect(servicePorts(manifests)).toEqual([
      { name: "health", port: health.port, targetPort: health.port, protocol: "TCP" },
      ...plan.ports.services.map((s) => ({ name: s.portName, port: s.listenPort, targetPort: s.listenPort, protocol: "TCP" })),
    ]);
  });
});
