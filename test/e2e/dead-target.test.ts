// A target that never answers: the pod's tailnet stays up, but the target node is killed (dead) or
// its tailscaled is stopped with SIGSTOP (black-holed: packets to it vanish). A TCP connect to the service port
// succeeds at once (Envoy accepts before it dials), Envoy's CONNECT to the tailnet's loopback proxy waits for
// tailscaled to dial the target, and nothing comes back.
//
// What bounds that wait, measured here: Envoy 1.40 has no timeout for a CONNECT without an answer. The cluster
// connect_timeout (connectTimeout) covers only the TCP connect to the loopback proxy, which never waits;
// tcp_proxy's idle timer starts when the connection is accepted, so envoy.idleTimeout closes it, with response
// flag UF in the access log and tcp.<tailnet>.<service>.idle_timeout counted. This file runs the pod with a
// short idleTimeout and checks exactly that, for both targets, and that connectTimeout alone does not close it.
// Its services set targetCheck: false: that is what such a connection meets when no check of its target
// protects it (and what a connection accepted before a failing check had marked the target down meets);
// target-health.test.ts covers the checked case, where new connections are closed at once.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { accessLog, cleanEnd, stopwatch } from "./suite.ts";
import { servicePorts, type Manifest } from "../../tools/src/helm/manifests.ts";
import {
  descendantNamed,
  requireBinaries,
  startHeadscale,
  startTarget,
  taggedReply,
  type Headscale,
  type Target,
} from "../../tools/src/local/lab/index.ts";
import { labValues, renderValues } from "../../tools/src/local/pod/demo.ts";
import { tcpExchange } from "../../tools/src/local/pod/net.ts";
import { startPod, type RunningPod } from "../../tools/src/local/pod/pod.ts";

const { timings, timed } = stopwatch();
const CONNECT_TIMEOUT_S = 1;
const IDLE_TIMEOUT_S = 5;
/** Slack for a loaded 2-core machine: timers, the access log flush, and the client's own event loop. */
const MARGIN_MS = 1_500;
const payload = crypto.randomBytes(100);

describe("a target that never answers: what closes the connection", () => {
  let hs: Headscale;
  let dead: Target, hole: Target;
  let pod: RunningPod;
  let manifests: Manifest[];

  const portOf = (name: string): number => pod.port(servicePorts(manifests).find((p) => p.name === name)!.port);
  const idleTimeouts = async (service: string): Promise<number> =>
    (await pod.envoy.stats(`^tcp\\.a\\.${service}\\.idle_timeout$`))[`tcp.a.${service}.idle_timeout`] ?? 0;

  /** Connects to a service port, sends bytes, and waits for the close; returns what happened and how long it took. */
  async function timeToClose(service: string): Promise<{ ms: number; flags: string[]; idleTimeouts: number }> {
    const before = await idleTimeouts(service);
    const logged = accessLog(pod.envoy, service).length;
    const r = await tcpExchange(pod.podIP, portOf(service), payload, 1, (IDLE_TIMEOUT_S + 30) * 1000);
    console.log(`${service}: ended=${r.ended} after ${r.elapsedMs} ms, ${r.data.length} bytes`);
    expect(r.data.length, `${service} answered`).toBe(0);
    expect(["closed", "error"], `${service} still open after ${r.elapsedMs} ms`).toContain(r.ended);
    // Envoy writes the line when it destroys the connection, and flushes its access log every 10 s
    // (bootstrap file_flush_interval_msec).
    const deadline = Date.now() + 15_000;
    while (accessLog(pod.envoy, service).length === logged && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 100));
    return {
      ms: r.elapsedMs,
      flags: accessLog(pod.envoy, service)
        .slice(logged)
        .map((l) => l.response_flags),
      idleTimeouts: (await idleTimeouts(service)) - before,
    };
  }

  beforeAll(async () => {
    requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
    await timed("setup total", async () => {
      hs = await timed("headscale", () => startHeadscale({ name: "a" }));
      [dead, hole] = await timed("2x target", () =>
        Promise.all([
          startTarget({ hostname: "target-dead", headscale: hs }),
          startTarget({ hostname: "target-hole", headscale: hs }),
        ]),
      );
      const services = [
        { name: "dead", host: dead.ipv4, port: dead.port, targetCheck: false },
        { name: "hole", host: hole.ipv4, port: hole.port, targetCheck: false },
      ];
      const envoy = {
        connectTimeout: `${CONNECT_TIMEOUT_S}s`,
        idleTimeout: `${IDLE_TIMEOUT_S}s`,
        healthCheck: { interval: "1s" },
      };
      manifests = await renderValues(labValues("a", hs, services, { envoy }));
      pod = await timed("pod start", () => startPod(manifests, { ports: "free" }));
    });
  }, 300_000);

  cleanEnd("dead-target e2e", timings);

  it("both targets answer while they are up (the tailnet path is warm)", async () => {
    for (const [service, t] of [
      ["dead", dead],
      ["hole", hole],
    ] as const) {
      const want = taggedReply(t.hostname, payload);
      const r = await tcpExchange(pod.podIP, portOf(service), payload, want.length);
      expect(r.data.equals(want), `${service}: ${r.data.length} bytes`).toBe(true);
    }
  });

  it("a killed target node: closed by envoy.idleTimeout, not connectTimeout, with flag UF and the idle_timeout counter", async () => {
    await dead.proc.kill();
    const r = await timeToClose("dead");
    console.log(
      `dead target: closed after ${r.ms} ms (connectTimeout ${CONNECT_TIMEOUT_S}s, idleTimeout ${IDLE_TIMEOUT_S}s), flags ${JSON.stringify(r.flags)}, idle_timeout +${r.idleTimeouts}`,
    );
    expect(r.ms).toBeGreaterThan(CONNECT_TIMEOUT_S * 1000 + MARGIN_MS);
    expect(r.ms).toBeLessThan(IDLE_TIMEOUT_S * 1000 + MARGIN_MS);
    expect(r.flags).toEqual(["UF"]);
    expect(r.idleTimeouts).toBe(1);
  }, 60_000);

  it("a black-holed target (its tailscaled stopped): closed by envoy.idleTimeout, with flag UF and the idle_timeout counter", async () => {
    const tailscaled = descendantNamed(hole.proc.pid, "tailscaled");
    process.kill(tailscaled, "SIGSTOP");
    try {
      const r = await timeToClose("hole");
      console.log(
        `black-holed target: closed after ${r.ms} ms (connectTimeout ${CONNECT_TIMEOUT_S}s, idleTimeout ${IDLE_TIMEOUT_S}s), flags ${JSON.stringify(r.flags)}, idle_timeout +${r.idleTimeouts}`,
      );
      expect(r.ms).toBeGreaterThan(CONNECT_TIMEOUT_S * 1000 + MARGIN_MS);
      expect(r.ms).toBeLessThan(IDLE_TIMEOUT_S * 1000 + MARGIN_MS);
      expect(r.flags).toEqual(["UF"]);
      expect(r.idleTimeouts).toBe(1);
    } finally {
      process.kill(tailscaled, "SIGCONT");
    }
  }, 60_000);
});
