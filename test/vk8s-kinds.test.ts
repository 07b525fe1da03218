// The chart renders only kinds F5 XC vK8s offers (tools/src/local/kube/vk8s-profile.ts, from F5's published list)
// unless a value asks for one it lacks: for every golden case and example, the kinds outside the list are
// exactly those its switches turn on. The defaults (plus one tailnet) and the vK8s example render none, hooks
// included. test/kube/vk8s.test.ts installs them as a user who has only those rights.
import { describe, expect, it } from "vitest";
import type { Values } from "../tools/src/generated/values.ts";
import type { Manifest } from "../tools/src/helm/manifests.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { VK8S_READ_WRITE } from "../tools/src/local/kube/vk8s-profile.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { manifestsOf, valuesOf } from "./lib/cases.ts";

const OFFERED = new Set(VK8S_READ_WRITE.map((k) => k.kind));

/** What vK8s would refuse of the rendered objects: a kind outside F5's list, or a Service not of type ClusterIP. */
function outsideVk8s(ms: Manifest[]): string[] {
  return ms
    .flatMap((m) => {
      if (!OFFERED.has(m.kind)) return [m.kind];
      const type = (m.spec as { type?: string } | undefined)?.type ?? "ClusterIP";
      return m.kind === "Service" && type !== "ClusterIP" ? [`Service of type ${type}`] : [];
    })
    .sort();
}

/** The kinds vK8s lacks that the values ask for, switch by switch. */
function askedFor(v: Values, ms: Manifest[]): string[] {
  const kubeSecret = v.tailscale.state === "kubeSecret";
  return [
    ...(v.podDisruptionBudget.enabled ? ["PodDisruptionBudget"] : []),
    ...(v.rbac.create && kubeSecret ? ["Role", "RoleBinding"] : []),
    ...(v.networkPolicy.enabled ? ["NetworkPolicy"] : []),
    // Rendered only where the cluster has the API (the goldens render with it).
    ...(v.metrics.serviceMonitor.enabled && ms.some((m) => m.kind === "ServiceMonitor") ? ["ServiceMonitor"] : []),
    ...(v.metrics.prometheusRule.enabled && ms.some((m) => m.kind === "PrometheusRule") ? ["PrometheusRule"] : []),
    ...(v.tests.enabled && v.tests.kind === "Pod" ? ["Pod"] : []),
    ...(v.service.type !== "ClusterIP" ? [`Service of type ${v.service.type}`] : []),
  ].sort();
}

describe("kinds outside F5 XC vK8s's list render only when a value asks for them", () => {
  it.each(goldenCases().map((c) => [c.name, c.file] as const))("%s", async (_n, file) => {
    const ms = await manifestsOf(file);
    expect(outsideVk8s(ms)).toEqual(askedFor(await valuesOf(file), ms));
  });

  it.each([
    ["the defaults with one tailnet", repoPath("test/helm/01-one-tailnet.in.yaml")],
    ["the vK8s example", repoPath("examples/f5xc-vk8s.yaml")],
  ])("%s render nothing vK8s refuses, and the helm test hook is a Job", async (_n, file) => {
    const ms = await manifestsOf(file);
    expect(outsideVk8s(ms)).toEqual([]);
    expect(ms.filter((m) => m.metadata.annotations?.["helm.sh/hook"] === "test").map((m) => m.kind)).toEqual(["Job"]);
  });

  it("the check bites: the old defaults (PodDisruptionBudget on) and a NodePort Service are outside", async () => {
    const ms = await manifestsOf(repoPath("test/helm/05-custom-images-resources.in.yaml"));
    expect(outsideVk8s(ms)).toEqual(["Service of type LoadBalancer"]);
    const ha = await manifestsOf(repoPath("test/helm/06-pinned-ha.in.yaml"));
    expect(outsideVk8s(ha)).toEqual(["PodDisruptionBudget"]);
  });
});
