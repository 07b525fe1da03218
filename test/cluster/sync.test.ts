// How soon a service edit serves on a real node, and what shortens it. node.test.ts measures the kubelet's
// defaults (syncFrequency 1m); this cluster runs the kubelet with syncFrequency 5s, and then tries the
// chart's opt-in envoy.rolloutOnConfigChange, which restarts the pod instead.
import { describe, expect, it } from "vitest";
import { nsExchange, useCluster } from "../lib/cluster.ts";
import {
  CHART,
  clusterIP,
  demoTarget,
  demoValues,
  helm,
  isReady,
  measured,
  pod,
  restrictedNamespace,
} from "../lib/node.ts";
import { waitFor } from "../../tools/src/local/lab/procs.ts";

const cluster = useCluster({ prefix: "sync", demo: true, syncFrequency: "5s" });
const NS = "egress";
const SVC = "egress-tailscale-egress";

describe.sequential("a service edit on a kubelet with syncFrequency 5s", () => {
  it("serves within seconds in place, or after a restart with envoy.rolloutOnConfigChange", async () => {
    const c = cluster();
    const beta = demoTarget(c, "beta");
    await restrictedNamespace(c, NS);
    await helm(c, 3, ["install", "egress", CHART, "-n", NS, "-f", c.values ?? "", "--wait", "--timeout", "5m"]);
    const ip = await clusterIP(c, NS, SVC);
    const uid = (await pod(c, NS, `${SVC}-0`)).metadata.uid;
    const serves = (port: number) =>
      waitFor(
        `port ${port} serves`,
        180_000,
        async () => {
          const r = await nsExchange(c, ip, port, "x", beta.hostname.length + 2, 3_000);
          return r.data.toString() === `${beta.hostname}:x` ? true : undefined;
        },
        250,
      );

    const one = demoValues(c, (v) =>
      v.tailnets[1]!.services.push({ name: "beta-2", host: beta.ipv4, port: beta.port }),
    );
    let t0 = Date.now();
    await helm(c, 3, ["upgrade", "egress", CHART, "-n", NS, "-f", one]);
    await serves(11002);
    measured(
      "service added: helm upgrade to serving, kubelet syncFrequency 5s",
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect((await pod(c, NS, `${SVC}-0`)).metadata.uid).toBe(uid);

    const two = demoValues(c, (v) => {
      v.tailnets[1]!.services.push({ name: "beta-2", host: beta.ipv4, port: beta.port });
      v.tailnets[1]!.services.push({ name: "beta-3", host: beta.ipv4, port: beta.port });
      (v.envoy as Record<string, unknown>).rolloutOnConfigChange = true;
    });
    t0 = Date.now();
    await helm(c, 3, ["upgrade", "egress", CHART, "-n", NS, "-f", two]);
    await serves(11003);
    measured(
      "service added with envoy.rolloutOnConfigChange: helm upgrade to serving (a pod restart, drainSeconds 10)",
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    // With one replica the Service keeps a pod that is not Ready yet (service.publishNotReadyAddresses), so the
    // new pod's port can serve a moment before the pod turns Ready.
    const after = await waitFor(
      "the new pod Ready",
      60_000,
      async () => {
        const p = await pod(c, NS, `${SVC}-0`);
        return p.metadata.uid !== uid && isReady(p) ? p : undefined;
      },
      250,
    );
    expect(after.metadata.uid).not.toBe(uid);
  });
});
