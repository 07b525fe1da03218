// Whether the Service keeps a pod that is not Ready. Kubernetes makes the pod NotReady while any one container
// restarts; with one replica, dropping it from the Service would take every tailnet's ports away for one
// tailnet's restart (test/cluster/node.test.ts step 6b shows the other tailnet serving throughout).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { render } from "../tools/src/helm/helm.ts";
import { parseManifests } from "../tools/src/helm/manifests.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const base = parse(readFileSync(repoPath("test/helm/01-one-tailnet.in.yaml"), "utf8")) as Record<string, unknown>;

async function publishNotReady(extra: Record<string, unknown>): Promise<unknown> {
  const file = tmpValues({ ...base, ...extra });
  const svc = parseManifests(await render({ major: 3, valuesFiles: [file] })).find((m) => m.kind === "Service");
  return (svc as unknown as { spec: { publishNotReadyAddresses?: boolean } }).spec.publishNotReadyAddresses;
}

describe("service.publishNotReadyAddresses", () => {
  it.each<[string, Record<string, unknown>, boolean | undefined]>([
    ["one replica, unset: kept", {}, true],
    // F5 XC runs `replicas` pods per site, each site behind its own Service: one replica is one pod per Service.
    [
      "one replica on an F5 XC virtual site (one pod per site): kept",
      { podAnnotations: { "ves.io/virtual-sites": "my-ns/three-sites" } },
      true,
    ],
    ["two replicas, unset: readiness routes", { replicas: 2 }, undefined],
    ["one replica, set false", { service: { publishNotReadyAddresses: false } }, undefined],
    ["two replicas, set true", { replicas: 2, service: { publishNotReadyAddresses: true } }, true],
  ])("%s", async (_what, extra, want) => {
    expect(await publishNotReady(extra)).toBe(want);
  });
});
