// Envoy's worker count from values: envoy.concurrency, else the CPU limit rounded up, else 2.
import { describe, expect, it } from "vitest";
import type { Values } from "../../tools/src/generated/values.ts";
import { cpuCores, envoyConcurrency } from "../../tools/src/plan/concurrency.ts";

const values = (envoy: Partial<Values["envoy"]>): Values => ({ envoy }) as unknown as Values;

describe("Envoy --concurrency", () => {
  it.each<[string | number, number | undefined]>([
    ["500m", 1],
    ["1000m", 1],
    ["1001m", 2],
    ["0m", 0],
    ["2", 2],
    ["1.5", 2],
    [1.5, 2],
    [3, 3],
    ["2k", undefined],
    ["1e3", undefined],
    ["-1", undefined],
    ["", undefined],
  ])("the CPU quantity %j is %j whole cores", (q, want) => {
    expect(cpuCores(q)).toBe(want);
  });

  it("is envoy.concurrency when set, else the CPU limit rounded up and at least 1, else 2", () => {
    expect(envoyConcurrency(values({}))).toBe(2);
    expect(envoyConcurrency(values({ resources: { requests: { cpu: "4" } } }))).toBe(2);
    expect(envoyConcurrency(values({ resources: { limits: { memory: "1Gi" } } }))).toBe(2);
    expect(envoyConcurrency(values({ resources: { limits: { cpu: "250m" } } }))).toBe(1);
    expect(envoyConcurrency(values({ resources: { limits: { cpu: "0" } } }))).toBe(1);
    expect(envoyConcurrency(values({ resources: { limits: { cpu: "3500m" } } }))).toBe(4);
    expect(envoyConcurrency(values({ concurrency: 6, resources: { limits: { cpu: "1" } } }))).toBe(6);
  });
});
