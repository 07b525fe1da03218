// replicas > 1: every replica of the rendered StatefulSet registers its own node in the tailnet,
// with a distinct hostname, address and state Secret, and each serves the service ports on its own.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnd } from "./suite.ts";
import { servicePorts, type Manifest } from "../../tools/src/helm/manifests.ts";
import {
  requireBinaries,
  startHeadscale,
  startTarget,
  taggedReply,
  type Headscale,
  type Target,
} from "../../tools/src/local/lab/index.ts";
import { renderValues } from "../../tools/src/local/pod/demo.ts";
import { tcpExchange } from "../../tools/src/local/pod/net.ts";
import { startPod, type RunningPod } from "../../tools/src/local/pod/pod.ts";
import { podKubeAccess } from "../../tools/src/local/kube/access.ts";
import { useControlPlane } from "../lib/kube.ts";

const payload = crypto.randomBytes(512);

const cp = useControlPlane("replicas");

describe("two replicas of the rendered pod", () => {
  let hs: Headscale;
  let target: Target;
  let manifests: Manifest[];
  const pods: RunningPod[] = [];

  beforeAll(async () => {
    requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
    hs = await startHeadscale({ name: "ha" });
    target = await startTarget({ hostname: "target-ha", headscale: hs });
    manifests = await renderValues({
      replicas: 2,
      tailscale: { tags: [], state: "kubeSecret" },
      envoy: { healthCheck: { interval: "1s" } },
      tailnets: [
        {
          name: "ha",
          authKey: hs.authKey,
          loginServer: hs.url,
          services: [{ name: "web", host: target.magicDNSName, port: target.port }],
        },
      ],
    });
    const kube = await podKubeAccess(cp(), manifests, "replicas");
    for (const ordinal of [0, 1])
      pods.push(await startPod(manifests, { ports: "free", podName: `tailscale-egress-${ordinal}`, kube }));
  }, 300_000);

  cleanEnd("replicas");

  it("registers one node per replica, with distinct names and addresses", async () => {
    const nodes = (await hs.nodes()).filter((n) => n.givenName.startsWith("tailscale-egress-"));
    expect(nodes.map((n) => n.givenName).sort()).toEqual(["tailscale-egress-0-ha", "tailscale-egress-1-ha"]);
    expect(new Set(nodes.flatMap((n) => n.ipAddresses)).size).toBe(nodes.flatMap((n) => n.ipAddresses).length);
  });

  it("keeps each replica's node state in its own Secret, on the real API", async () => {
    const names = ["tailscale-egress-0-ha-state", "tailscale-egress-1-ha-state"];
    const secrets = await Promise.all(names.map((n) => pods[0]!.kube?.secretData(n)));
    expect(secrets.map((s) => Object.keys(s ?? {}).includes("_machinekey"))).toEqual([true, true]);
    expect(secrets[0]?._machinekey?.equals(secrets[1]?._machinekey ?? Buffer.alloc(0))).toBe(false);
  });

  it("serves the service port from each replica", async () => {
    const port = servicePorts(manifests).find((p) => p.name === "web")!.port;
    for (const pod of pods) {
      const reply = taggedReply("target-ha", payload);
      const r = await tcpExchange(pod.podIP, pod.port(port), payload, reply.length);
      expect(r.data.equals(reply)).toBe(true);
    }
  });
});
