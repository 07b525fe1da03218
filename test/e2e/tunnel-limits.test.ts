// Two limits of a service port's tunnel, on the real pod:
//  - the pending-CONNECT limit (envoy.circuitBreakers.maxPendingRequests): a burst beyond it is refused at once,
//    and each refused connection is counted in the service's cluster.<tailnet>_<service>.upstream_rq_pending_overflow. Its access log
//    line shows response flag URX, not UO: Envoy 1.40's tcp_proxy handles a pool overflow as a failed connect
//    attempt (onGenericPoolFailure closes it locally without a flag), and with max_connect_attempts 1 marks the
//    connection URX and counts upstream_cx_connect_attempts_exceeded. A dead target shows UF instead
//    (dead-target.test.ts), so URX alone means the connection was refused by a limit;
//  - a client half-close: tcp_proxy tunnels over HTTP/1.1 CONNECT, and Envoy passes a client's FIN on by
//    half-closing its connection to the tailnet's loopback proxy; tailscaled's proxy (v1.102.5,
//    cmd/tailscaled/proxy.go) copies each direction with io.Copy and closes the whole tunnel as soon as one
//    direction ends, so the target's reply is lost. The same happens without Envoy, straight through the
//    proxy. This file pins that behaviour: if it starts to pass the reply through, the limits in docs/operating.md change.
import crypto from "node:crypto";
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { accessLog, cleanEnd, stopwatch } from "./suite.ts";
import { servicePorts, type Manifest } from "../../tools/src/helm/manifests.ts";
import { connectThroughProxy } from "../../tools/src/local/lab/connect.ts";
import type { Headscale, Target } from "../../tools/src/local/lab/index.ts";
import { requireBinaries, startHeadscale, startTarget } from "../../tools/src/local/lab/index.ts";
import { labValues, renderValues } from "../../tools/src/local/pod/demo.ts";
import { tcpExchange } from "../../tools/src/local/pod/net.ts";
import { startPod, type RunningPod } from "../../tools/src/local/pod/pod.ts";

const { timings, timed } = stopwatch();
const MAX_PENDING = 1;
const BURST = 64;
const TAILNET = "a";

/** Sends payload, half-closes, and collects what comes back until the peer closes. */
function halfCloseExchange(host: string, port: number, payload: Buffer, timeoutMs = 15_000): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = net.connect({ host, port, allowHalfOpen: true });
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on("connect", () => sock.end(payload));
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("end", done);
    sock.on("error", done);
  });
}

describe("tunnel limits: the pending-CONNECT limit and a client half-close", () => {
  let hs: Headscale;
  let target: Target;
  let pod: RunningPod;
  let manifests: Manifest[];

  const portOf = (name: string): number => pod.port(servicePorts(manifests).find((p) => p.name === name)!.port);
  const counters = async (): Promise<{ overflow: number; attemptsExceeded: number }> => {
    const s = await pod.envoy.stats(
      `^cluster\\.${TAILNET}_burst\\.upstream_(rq_pending_overflow|cx_connect_attempts_exceeded)$`,
    );
    return {
      overflow: s[`cluster.${TAILNET}_burst.upstream_rq_pending_overflow`] ?? 0,
      attemptsExceeded: s[`cluster.${TAILNET}_burst.upstream_cx_connect_attempts_exceeded`] ?? 0,
    };
  };

  beforeAll(async () => {
    requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
    await timed("setup total", async () => {
      hs = await timed("headscale", () => startHeadscale({ name: TAILNET }));
      target = await timed("target", () => startTarget({ hostname: "target-limits", headscale: hs }));
      const services = [
        { name: "burst", host: target.ipv4, port: target.exactPort },
        { name: "half", host: target.ipv4, port: target.exactPort },
      ];
      const envoy = { circuitBreakers: { maxPendingRequests: MAX_PENDING }, healthCheck: { interval: "1s" } };
      manifests = await renderValues(labValues(TAILNET, hs, services, { envoy }));
      pod = await timed("pod start", () => startPod(manifests, { ports: "free" }));
    });
  }, 300_000);

  cleanEnd("tunnel-limits e2e", timings);

  it(`a burst of ${BURST} connections beyond maxPendingRequests ${MAX_PENDING}: each one refused shows URX and is counted as an overflow`, async () => {
    const payload = crypto.randomBytes(1024);
    // The tailnet path is warm before the burst (WireGuard handshake, the proxy's dial path).
    const warm = await tcpExchange(pod.podIP, portOf("burst"), payload, payload.length, 30_000);
    expect(warm.data.equals(payload), `warm-up: ${warm.data.length} bytes`).toBe(true);
    // Envoy writes a line when it destroys a connection and flushes its access log every 10 s: the warm-up's
    // line must be in before the burst's are counted.
    const logLines = async (n: number): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (accessLog(pod.envoy, "burst").length < n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
    };
    await logLines(1);
    const before = await counters();
    const logged = accessLog(pod.envoy, "burst").length;
    const results = await Promise.all(
      Array.from({ length: BURST }, () => tcpExchange(pod.podIP, portOf("burst"), payload, payload.length, 60_000)),
    );
    const served = results.filter((r) => r.data.equals(payload)).length;
    const refused = results.filter((r) => r.data.length === 0 && r.ended !== "timeout").length;
    const after = await counters();
    const counted = after.overflow - before.overflow;
    const attemptsExceeded = after.attemptsExceeded - before.attemptsExceeded;
    await logLines(logged + BURST);
    const flags = accessLog(pod.envoy, "burst")
      .slice(logged)
      .map((l) => l.response_flags);
    const summary = `burst of ${BURST} with maxPendingRequests ${MAX_PENDING}: served ${served}, refused ${refused}, ended ${JSON.stringify(results.map((r) => `${r.ended}/${r.data.length}`).filter((e) => e !== `enough/${payload.length}`))}, upstream_rq_pending_overflow +${counted}, upstream_cx_connect_attempts_exceeded +${attemptsExceeded}, flags ${JSON.stringify(flags)}`;
    console.log(summary);
    expect(served + refused, `every connection was either served byte-exact or refused unserved: ${summary}`).toBe(
      BURST,
    );
    expect(refused, `the burst went beyond the limit: ${summary}`).toBeGreaterThan(0);
    expect(counted, summary).toBe(refused);
    expect(attemptsExceeded, summary).toBe(refused);
    expect(flags, summary).toHaveLength(BURST);
    expect(flags.filter((f) => f === "URX").length, summary).toBe(refused);
    expect(flags.filter((f) => f === "-").length, summary).toBe(served);
  }, 120_000);

  it("a reply comes back whole while the client keeps its side open", async () => {
    const payload = crypto.randomBytes(64 * 1024);
    const r = await tcpExchange(pod.podIP, portOf("half"), payload, payload.length, 30_000);
    expect(r.data.equals(payload), `${r.data.length} of ${payload.length} bytes`).toBe(true);
  }, 60_000);

  it("a client half-close loses the reply, through Envoy and straight through tailscaled's proxy alike", async () => {
    const payload = crypto.randomBytes(64 * 1024);
    const viaEnvoy = await halfCloseExchange(pod.podIP, portOf("half"), payload);
    const direct = await connectThroughProxy({
      proxyPort: pod.tailscale.get(TAILNET)!.proxyPort ?? -1,
      target: `${target.ipv4}:${target.exactPort}`,
      payload,
      halfClose: true,
      timeoutMs: 15_000,
    });
    console.log(
      `half-close: ${viaEnvoy.length} of ${payload.length} bytes back through Envoy, ${direct.body.length} through tailscaled's proxy directly (status ${direct.status}, ${direct.ended})`,
    );
    expect(direct.status).toBe(200);
    expect(viaEnvoy.length).toBeLessThan(payload.length);
    expect(direct.body.length).toBeLessThan(payload.length);
  }, 60_000);
});
