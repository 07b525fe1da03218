// The demo tailnet of `npm start` (no -f): one headscale, one target node running a small service that
// answers HTTP requests with a greeting and echoes anything else (tagged), and the values that point the chart
// at it. Also renderValues(), which renders values with Helm into parsed manifests (tests and npm start).
import net from "node:net";
import { render } from "../../helm/helm.ts";
import { parseManifests, type Manifest } from "../../helm/manifests.ts";
import { tmpValues } from "../tmp.ts";
import { onCleanup } from "../lab/cleanup.ts";
import { startHeadscale, type Headscale } from "../lab/headscale.ts";
import { LOOPBACK } from "../lab/ports.ts";
import { startTarget, type Target } from "../lab/target.ts";

export const DEMO_TAILNET = "demo";
export const DEMO_TARGET = "demo-target";

/** HTTP in, a greeting out; anything else is echoed after "<tag>:" (nc). */
export async function startHelloEchoServer(tag: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((sock) => {
    sock.once("data", (first) => {
      if (/^[A-Z]+ \S+ HTTP\/1\.[01]\r?\n/.test(first.toString("latin1"))) {
        const body = `hello from ${tag}, through Envoy and Tailscale\n`;
        sock.end(
          `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      sock.write(`${tag}:`);
      sock.write(first);
      sock.pipe(sock);
    });
    sock.on("error", () => sock.destroy());
  });
  await new Promise<void>((resolve, reject) => (server.once("error", reject), server.listen(0, LOOPBACK, resolve)));
  const close = (): Promise<void> => new Promise((r) => server.close(() => r()));
  const handle = onCleanup(`hello-echo ${tag}`, close);
  return { port: (server.address() as net.AddressInfo).port, close: async () => (handle.release(), await close()) };
}

export interface DemoTailnet {
  headscale: Headscale;
  target: Target;
  helloPort: number;
  /** Chart values for the demo: services 10000 (hello/echo by MagicDNS name) and 10001 (tagged echo by IP). */
  values: Record<string, unknown>;
}

export async function startDemoTailnet(): Promise<DemoTailnet> {
  const headscale = await startHeadscale({ name: DEMO_TAILNET });
  const [target, hello] = await Promise.all([
    startTarget({ hostname: DEMO_TARGET, headscale }),
    startHelloEchoServer(DEMO_TARGET),
  ]);
  const values = labValues(
    DEMO_TAILNET,
    headscale,
    [
      { name: "demo-hello", host: target.magicDNSName, port: hello.port },
      { name: "demo-echo", host: target.ipv4, port: target.port },
    ],
    { termination: { drainSeconds: 2 }, envoy: { healthCheck: { interval: "1s" } } },
  );
  return { headscale, target, helloPort: hello.port, values };
}

/**
 * Chart values for one lab tailnet: its headscale's URL and key, no ACL tags (the lab's headscale has no tag
 * owners), these services, and any other top-level values.
 */
export function labValues(
  name: string,
  headscale: Headscale,
  services: object[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    tailscale: { tags: [] },
    ...extra,
    tailnets: [{ name, authKey: headscale.authKey, loginServer: headscale.url, services }],
  };
}

/** helm template (Helm 3) of the values, parsed. */
export async function renderValues(values: unknown, release = "tailscale-egress"): Promise<Manifest[]> {
  return parseManifests(await render({ major: 3, valuesFiles: [tmpValues(values)], release }));
}
