// `cluster up --demo`: two independent tailnets inside the cluster's network namespace, each a headscale on
// the node IP (pods reach it there) and one tagged target node serving known ports, plus the chart values
// that point a release at both (real pre-auth keys). Run by the supervisor, so they live as long as it does.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { startHeadscale } from "../lab/headscale.ts";
import { startTarget } from "../lab/target.ts";
import { startHelloEchoServer } from "../pod/demo.ts";
import { NODE_IP, type Layout } from "./layout.ts";
import type { DemoTarget } from "./state.ts";

export const CLUSTER_DEMO_TAILNETS = ["alpha", "beta"] as const;

export interface ClusterDemo {
  valuesFile: string;
  info: DemoTarget[];
  values: Record<string, unknown>;
}

/** The values a demo release uses with these tailnets: hello (HTTP by MagicDNS name) and echo (by IP). */
export function clusterDemoValues(
  tailnets: readonly { name: string; url: string; authKey: string; target: DemoTarget; magicDNSName: string }[],
): Record<string, unknown> {
  return {
    tailscale: {
      // The demo's headscale has no ACL tag owners, so the nodes advertise no tags.
      tags: [],
      // Node state in Secrets through the real API, so a recreated pod keeps its node key.
      state: "kubeSecret",
      // headscale's embedded DERP speaks plain HTTP (a demo server without TLS).
      extraEnv: [{ name: "TS_DEBUG_USE_DERP_HTTP", value: "1" }],
    },
    envoy: { healthCheck: { interval: "1s" } },
    termination: { drainSeconds: 10 },
    tailnets: tailnets.map((t) => ({
      name: t.name,
      authKey: t.authKey,
      loginServer: t.url,
      services: [
        { name: `${t.name}-hello`, host: t.magicDNSName, port: t.target.helloPort },
        { name: `${t.name}-echo`, host: t.target.ipv4, port: t.target.port },
      ],
    })),
  };
}

export async function startClusterDemo(l: Layout): Promise<ClusterDemo> {
  const tailnets = await Promise.all(
    CLUSTER_DEMO_TAILNETS.map(async (name) => {
      const headscale = await startHeadscale({ name, host: NODE_IP });
      const hostname = `${name}-target`;
      const [target, hello] = await Promise.all([startTarget({ hostname, headscale }), startHelloEchoServer(hostname)]);
      const info: DemoTarget = { tailnet: name, hostname, ipv4: target.ipv4, port: target.port, helloPort: hello.port };
      return { name, url: headscale.url, authKey: headscale.authKey, target: info, magicDNSName: target.magicDNSName };
    }),
  );
  const values = clusterDemoValues(tailnets);
  const valuesFile = path.join(l.dir, "demo-values.yaml");
  fs.writeFileSync(
    valuesFile,
    `# Demo values for the local cluster "${l.name}": two tailnets, each with its own headscale and target.\n` +
      `# The auth keys are real pre-auth keys of those headscales, which live only as long as the cluster.\n${YAML.stringify(values)}`,
    { mode: 0o600 },
  );
  return { valuesFile, values, info: tailnets.map((t) => t.target) };
}
