// Editing a tailnet's services must change only the ConfigMap and the Service, never the pod template,
// so Kubernetes does not restart the pod and Envoy applies the change in place. Adding a tailnet does
// change the pod (it needs a new container).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { render } from "../tools/src/helm/helm.ts";
import { parseManifests, podTemplate, type Manifest } from "../tools/src/helm/manifests.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

type Doc = { tailnets: { name: string; authKey: string; services: { host: string; port: number; name?: string }[] }[] };
const before: Doc = parse(readFileSync(repoPath("test/helm/02-three-tailnets.in.yaml"), "utf8"));
const edited = (f: (d: Doc) => void): string => {
  const d = structuredClone(before);
  f(d);
  return tmpValues(d);
};

const key = (m: Manifest) => `${m.kind}/${m.metadata.name}`;
async function changedObjects(a: string, b: string): Promise<string[]> {
  const [ma, mb] = await Promise.all(
    [a, b].map(async (f) => parseManifests(await render({ major: 3, valuesFiles: [f] }))),
  );
  // Hooks (the helm test pod, which lists every port) are not applied on upgrade, so they do not count.
  const applied = (ms: Manifest[]) => ms.filter((m) => !m.metadata.annotations?.["helm.sh/hook"]);
  const index = (ms: Manifest[]) => new Map(applied(ms).map((m) => [key(m), JSON.stringify(m)]));
  const ia = index(ma!);
  const ib = index(mb!);
  return [...new Set([...ia.keys(), ...ib.keys()])].filter((k) => ia.get(k) !== ib.get(k)).sort();
}
const podOf = async (f: string) =>
  JSON.stringify(podTemplate(parseManifests(await render({ major: 3, valuesFiles: [f] }))));

describe("what a values edit changes", () => {
  const original = tmpValues(before);
  // Envoy's ConfigMaps: bootstrap and the health routes, LDS, CDS. A new target changes its listener and its
  // cluster (whose check names it); a new or removed service also changes the health routes (its path).
  const [cm, lds, cds] = ["envoy", "envoy-lds", "envoy-cds"].map((s) => `ConfigMap/tailscale-egress-${s}`) as [
    string,
    string,
    string,
  ];
  const svc = "Service/tailscale-egress";
  it.each<[string, (d: Doc) => void, string[]]>([
    [
      "adding a service",
      (d) => d.tailnets[1]!.services.push({ host: "new.lab.ts.net", port: 8080 }),
      [cm, cds, lds, svc],
    ],
    ["removing a service", (d) => d.tailnets[0]!.services.pop(), [cm, cds, lds, svc]],
    ["changing a target", (d) => (d.tailnets[2]!.services[1]!.host = "broker.edge.ts.net"), [cds, lds]],
  ])("%s changes only the Envoy ConfigMaps (and the Service for a new port)", async (_what, f, expected) => {
    expect(await changedObjects(original, edited(f))).toEqual(expected);
  });

  it("adding a tailnet changes the pod template", async () => {
    const more = edited((d) =>
      d.tailnets.push({ name: "ops", authKey: "tskey-auth-ops", services: [{ host: "ops.ts.net", port: 22 }] }),
    );
    expect(await podOf(more)).not.toEqual(await podOf(original));
    expect(await changedObjects(original, more)).toContain("StatefulSet/tailscale-egress");
  });

  it("with envoy.rolloutOnConfigChange, changing a target changes the pod template too (a restart)", async () => {
    const optIn = (f: (d: Doc) => void) =>
      edited((d) => (f(d), Object.assign(d, { envoy: { rolloutOnConfigChange: true } })));
    const a = optIn(() => undefined);
    const b = optIn((d) => (d.tailnets[2]!.services[1]!.host = "broker.edge.ts.net"));
    expect(await changedObjects(a, b)).toEqual([cds, lds, "StatefulSet/tailscale-egress"]);
    expect(await podOf(b)).not.toEqual(await podOf(a));
  });
});
