// What shortens the wait for a service edit on a real node: a kubelet with syncFrequency 5s serves the edit in
// place within a few sync periods, and the chart's opt-in envoy.rolloutOnConfigChange restarts the pod
// instead. The times themselves (and the kubelet defaults') are measured by npm run bench -- cluster.
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../tools/src/local/cluster/cluster.ts";
import { nsExchange, useCluster } from "../lib/cluster.ts";
import {
  CHART,
  clusterIP,
  demoTarget,
  demoValues,
  helm,
  isReady,
  pod,
  restrictedNamespace,
  type DemoValues,
} from "../lib/node.ts";
import { waitFor } from "../../tools/src/local/lab/procs.ts";

const SYNC_S = 5;
const cluster = useCluster({ prefix: "sync", demo: true, syncFrequency: `${SYNC_S}s` });
const NS = "egress";
const SVC = "egress-tailscale-egress";
// The kubelet updates a pod's ConfigMap volumes at the pod's next sync: about every syncFrequency, plus some
// jitter. Then Envoy adds the new service's cluster and listener once the first check of its target passed
// (envoy.targetCheck, every CHECK_S here). Four sync periods and two checks after helm returns leave room for
// that, the file watch and a loaded machine, and stay well under the kubelet's default period (1m), so a node
// that ignored syncFrequency would fail it in most runs. How long it takes is a benchmark figure
// (npm run bench -- cluster), not asserted here.
const CHECK_S = 1;
const IN_PLACE_MS = (4 * SYNC_S + 2 * CHECK_S) * 1000;

/** The demo values with targets checked every CHECK_S, and these changes. */
function checked(c: Cluster, change: (v: DemoValues) => void = () => undefined): string {
  return demoValues(c, (v) => {
    v.envoy = { ...(v.envoy as Record<string, unknown>), targetCheck: { interval: `${CHECK_S}s` } };
    change(v);
  });
}

describe.sequential(`a service edit on a kubelet with syncFrequency ${SYNC_S}s`, () => {
  let ip = "";
  let uid = "";
  const serves = (c: Cluster, port: number, timeoutMs: number) => {
    const beta = demoTarget(c, "beta");
    return waitFor(
      `port ${port} serves`,
      timeoutMs,
      async () => {
        const r = await nsExchange(c, ip, port, "x", beta.hostname.length + 2, 3_000);
        return r.data.toString() === `${beta.hostname}:x` ? true : undefined;
      },
      250,
    );
  };

  it(`serves in place within four sync periods and two target checks (${IN_PLACE_MS / 1000} s) after helm upgrade returns`, async () => {
    const c = cluster();
    const beta = demoTarget(c, "beta");
    await restrictedNamespace(c, NS);
    await helm(c, 3, ["install", "egress", CHART, "-n", NS, "-f", checked(c), "--wait", "--timeout", "5m"]);
    ip = await clusterIP(c, NS, SVC);
    uid = (await pod(c, NS, `${SVC}-0`)).metadata.uid;
    const one = checked(c, (v) => v.tailnets[1]!.services.push({ name: "beta-2", host: beta.ipv4, port: beta.port }));
    await helm(c, 3, ["upgrade", "egress", CHART, "-n", NS, "-f", one]);
    await serves(c, 11002, IN_PLACE_MS);
    expect((await pod(c, NS, `${SVC}-0`)).metadata.uid, "the same pod").toBe(uid);
  });

  it("with envoy.rolloutOnConfigChange an edit restarts the pod, and the new port serves", async () => {
    const c = cluster();
    const beta = demoTarget(c, "beta");
    const two = checked(c, (v) => {
      v.tailnets[1]!.services.push({ name: "beta-2", host: beta.ipv4, port: beta.port });
      v.tailnets[1]!.services.push({ name: "beta-3", host: beta.ipv4, port: beta.port });
      (v.envoy as Record<string, unknown>).rolloutOnConfigChange = true;
    });
    await helm(c, 3, ["upgrade", "egress", CHART, "-n", NS, "-f", two]);
    await serves(c, 11003, 180_000);
    // With one replica the Service keeps a pod that is not Ready yet (service.publishNotReadyAddresses), so the
    // new pod's port can serve a moment before the pod turns Ready.
    await waitFor(
      "a new pod Ready",
      60_000,
      async () => {
        const p = await pod(c, NS, `${SVC}-0`);
        return p.metadata.uid !== uid && isReady(p) ? p : undefined;
      },
      250,
    );
  });
});
