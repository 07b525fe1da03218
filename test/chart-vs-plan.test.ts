// The chart's rendered ConfigMap (byte for byte), Service and Envoy --concurrency must equal the TS plan, for
// every golden case and example, and for the CPU limits the worker count is derived from.
import { describe, expect, it } from "vitest";
import { envoyConcurrency } from "../tools/src/plan/concurrency.ts";
import { planEnvoy } from "../tools/src/plan/envoy.ts";
import { GOLDEN_RELEASE, HELM_MAJORS, render } from "../tools/src/helm/helm.ts";
import {
  envoyArgs,
  envoyConfigMapData,
  envoyFiles,
  parseManifests,
  servicePorts,
  type Manifest,
} from "../tools/src/helm/manifests.ts";
import { configMapData } from "../tools/src/plan/configmap.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { manifestsOf, valuesOf } from "./lib/cases.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const concurrencyArg = (manifests: Manifest[]): string | undefined => {
  const args = envoyArgs(manifests);
  const i = args.indexOf("--concurrency");
  return i < 0 ? undefined : args[i + 1];
};

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i: chart agrees with the TS plan", (major) => {
  it.each(goldenCases().map((c) => [c.name, c] as const))("%s", async (_n, c) => {
    const manifests = await manifestsOf(c.file, major);
    const values = await valuesOf(c.file);
    const plan = planEnvoy(values, GOLDEN_RELEASE);
    expect(envoyFiles(manifests)).toEqual(plan.files);
    // Byte for byte, so the size the CLI checks is the size the API server sees.
    expect(envoyConfigMapData(manifests)).toEqual(configMapData(plan.files));
    const health = plan.ports.reserved.find((r) => r.name === "health")!;
    expect(servicePorts(manifests)).toEqual([
      { name: "health", port: health.port, targetPort: health.port, protocol: "TCP" },
      ...plan.ports.services.map((s) => ({
        name: s.portName,
        port: s.listenPort,
        targetPort: s.listenPort,
        protocol: "TCP",
      })),
    ]);
    expect(concurrencyArg(manifests)).toBe(String(envoyConcurrency(values)));
  });

  const envoys: [string, object, number][] = [
    ["no CPU limit", {}, 2],
    ["500m", { resources: { limits: { cpu: "500m" } } }, 1],
    ["1001m", { resources: { limits: { cpu: "1001m" } } }, 2],
    ["1.5", { resources: { limits: { cpu: "1.5" } } }, 2],
    ["the number 3", { resources: { limits: { cpu: 3 } } }, 3],
    ["0", { resources: { limits: { cpu: "0" } } }, 1],
    ["envoy.concurrency over a limit", { concurrency: 5, resources: { limits: { cpu: "1" } } }, 5],
  ];
  it.each(envoys)("--concurrency with %s", async (_n, envoy, want) => {
    const doc = {
      envoy,
      tailnets: [{ name: "a", authKey: "tskey-auth-a", services: [{ host: "web.a.ts.net", port: 80 }] }],
    };
    const file = tmpValues(doc);
    const manifests = parseManifests(await render({ major, valuesFiles: [file] }));
    expect(concurrencyArg(manifests)).toBe(String(want));
    expect(envoyConcurrency(await valuesOf(file))).toBe(want);
  });
});
