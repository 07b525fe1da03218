// Each service's target is checked through its tailnet's proxy (envoy.targetCheck), on the real pod with real
// tailscaled and headscale. One live target and three ways for a target to fail, one service each:
//   closed: a live node with nothing on the port (tailscaled's proxy answers the CONNECT with an error at once);
//   dead:   the target node killed (the CONNECT gets no answer: the check times out);
//   hole:   the target's tailscaled stopped with SIGSTOP (packets to it vanish; the same from the pod's side).
// Per case: /ready/<tailnet>/<service> turns 503 within interval x unhealthyThreshold + timeout (+1 s); a new
// connection is then closed before any byte within 50 ms, with access log flag UH and upstream_cx_none_healthy
// counted; the live service and the tailnet are untouched; once the target is back (reachable again through the
// tailnet's proxy), the path turns 200 within 2 intervals + timeout (+0.5 s for this file's 100 ms polling and a
// loaded machine) and connections are served. The Prometheus names and labels alerts are built on are read
// from the health port's /stats/prometheus.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { accessLog, cleanEnd, stopwatch } from "./suite.ts";
import { servicePorts, type Manifest } from "../../tools/src/helm/manifests.ts";
import {
  connectThroughProxy,
  descendantNamed,
  freeTcpPort,
  requireBinaries,
  startEchoServer,
  startHeadscale,
  startTarget,
  taggedReply,
  type EchoServer,
  type Headscale,
  type Target,
} from "../../tools/src/local/lab/index.ts";
import { labValues, renderValues } from "../../tools/src/local/pod/demo.ts";
import { tcpExchange } from "../../tools/src/local/pod/net.ts";
import { startPod, type RunningPod } from "../../tools/src/local/pod/pod.ts";

const { timings, timed } = stopwatch();
const TAILNET = "a";
const INTERVAL_MS = 1_000;
const TIMEOUT_MS = 500;
const UNHEALTHY = 2;
const HEALTH_PORT = 10501;
const DETECT_BOUND_MS = INTERVAL_MS * UNHEALTHY + TIMEOUT_MS + 1_000;
const RECOVER_BOUND_MS = 2 * INTERVAL_MS + TIMEOUT_MS + 500;
const CLOSE_BOUND_MS = 50;
const payload = crypto.randomBytes(100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text as Envoy serves it: one `name{k="v",...} value` line per series. */
function parsePrometheus(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

describe("per-service target health through the tunnel", () => {
  let hs: Headscale;
  let live: Target, dead: Target, hole: Target;
  let closedPort: number;
  let closedEcho: EchoServer;
  let pod: RunningPod;
  let manifests: Manifest[];
  const results: Record<string, Record<string, number>> = {};

  const portOf = (name: string): number => pod.port(servicePorts(manifests).find((p) => p.name === name)!.port);
  const status = async (path: string): Promise<number> =>
    (await fetch(`http://${pod.podIP}:${pod.port(HEALTH_PORT)}${path}`).catch(() => undefined))?.status ?? 0;
  const prometheus = async (): Promise<Series[]> =>
    parsePrometheus(await (await fetch(`http://${pod.podIP}:${pod.port(HEALTH_PORT)}/stats/prometheus`)).text());
  const series = (all: Series[], name: string, labels: Record<string, string>): Series[] =>
    all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const noneHealthy = async (service: string): Promise<number> => {
    const key = `cluster.${TAILNET}_${service}.upstream_cx_none_healthy`;
    return (await pod.envoy.stats(`^${key.replace(/[.-]/g, "\\$&")}$`))[key] ?? 0;
  };
  const flagged = (service: string, flag: string): number =>
    accessLog(pod.envoy, service).filter((l) => l.response_flags === flag).length;
  const uhLines = (service: string): number => flagged(service, "UH");
  /** Waits (up to 15 s: Envoy flushes its access log every 10 s) until `service` has `n` lines with `flag`. */
  const logged = async (service: string, flag: string, n: number): Promise<number> => {
    for (const deadline = Date.now() + 15_000; flagged(service, flag) < n && Date.now() < deadline; ) await sleep(200);
    return flagged(service, flag);
  };
  /** Polls until `path` answers `want`; returns the ms waited, or throws after limitMs. */
  const until = async (path: string, want: number, limitMs: number): Promise<number> => {
    const t0 = Date.now();
    for (;;) {
      if ((await status(path)) === want) return Date.now() - t0;
      if (Date.now() - t0 > limitMs) throw new Error(`${path} did not answer ${want} within ${limitMs} ms`);
      await sleep(100);
    }
  };
  const served = async (service: string, tag: string): Promise<boolean> => {
    const want = taggedReply(tag, payload);
    const r = await tcpExchange(pod.podIP, portOf(service), payload, want.length, 10_000);
    return r.data.equals(want);
  };
  /** Polls a CONNECT straight through the tailnet's proxy until the target answers; returns the ms waited. */
  const reachable = async (target: string, limitMs: number): Promise<number> => {
    const t0 = Date.now();
    const proxyPort = pod.tailscale.get(TAILNET)!.proxyPort ?? -1;
    for (;;) {
      const r = await connectThroughProxy({ proxyPort, target, payload, expectBytes: 1, timeoutMs: 1_000 });
      if (r.status === 200 && r.body.length > 0) return Date.now() - t0;
      if (Date.now() - t0 > limitMs) throw new Error(`${target} not reachable through the proxy in ${limitMs} ms`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
    await timed("setup total", async () => {
      hs = await timed("headscale", () => startHeadscale({ name: TAILNET }));
      [live, dead, hole] = (await timed("3x target", () =>
        Promise.all(
          ["target-live", "target-dead", "target-hole"].map((hostname) => startTarget({ hostname, headscale: hs })),
        ),
      )) as [Target, Target, Target];
      // The "closed" service's port on the live node: listening while the pod starts (it waits for every check).
      closedPort = await freeTcpPort();
      closedEcho = await startEchoServer({ tag: "target-live", port: closedPort });
      const services = [
        { name: "live", host: live.ipv4, port: live.port },
        { name: "closed", host: live.ipv4, port: closedPort },
        { name: "dead", host: dead.ipv4, port: dead.port },
        { name: "hole", host: hole.ipv4, port: hole.port },
      ];
      const envoy = {
        healthCheck: { interval: "1s" },
        targetCheck: { interval: `${INTERVAL_MS}ms`, timeout: `${TIMEOUT_MS}ms`, unhealthyThreshold: UNHEALTHY },
      };
      manifests = await renderValues(labValues(TAILNET, hs, services, { envoy }));
      pod = await timed("pod start", () => startPod(manifests, { ports: "free" }));
    });
  }, 300_000);

  cleanEnd("target-health e2e", timings);

  it("every target answers: each path is 200, connections are served, and no check fails", async () => {
    for (const s of ["live", "closed", "dead", "hole"]) await until(`/ready/${TAILNET}/${s}`, 200, 30_000);
    expect(await status(`/ready/${TAILNET}`)).toBe(200);
    expect(await served("live", "target-live")).toBe(true);
    expect(await served("closed", "target-live")).toBe(true);
    expect(await served("dead", "target-dead")).toBe(true);
    expect(await served("hole", "target-hole")).toBe(true);
    // A live target stays up: no check fails over several intervals (checks before the tailnet was up may have).
    const checks = async (): Promise<[number, number]> => {
      const s = await pod.envoy.stats(`^cluster\\.${TAILNET}_live\\.health_check\\.(failure|success)$`);
      return [
        s[`cluster.${TAILNET}_live.health_check.failure`] ?? -1,
        s[`cluster.${TAILNET}_live.health_check.success`] ?? -1,
      ];
    };
    const [failed0, passed0] = await checks();
    await sleep(3 * INTERVAL_MS);
    const [failed1, passed1] = await checks();
    expect(await status(`/ready/${TAILNET}/live`)).toBe(200);
    expect(failed1 - failed0).toBe(0);
    expect(passed1 - passed0).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it("exports per-service health, refusals, connections and bytes with tailnet and service labels", async () => {
    // One refused connection to the closed port and one served by the live target, so every counter moved.
    await closedEcho.stop();
    await until(`/ready/${TAILNET}/closed`, 503, DETECT_BOUND_MS + 5_000);
    await tcpExchange(pod.podIP, portOf("closed"), payload, 1, 5_000);
    expect(await served("live", "target-live")).toBe(true);
    // Its UH line is flushed (every 10 s) before the next test counts UH lines of this service.
    await logged("closed", "UH", 1);
    const all = await prometheus();
    const one = (name: string, service: string): Series => {
      const found = series(all, name, { tailnet: TAILNET, service });
      expect(found, `${name}{tailnet="${TAILNET}",service="${service}"}`).toHaveLength(1);
      return found[0]!;
    };
    expect(one("envoy_cluster_membership_healthy", "live").value).toBe(1);
    expect(one("envoy_cluster_membership_healthy", "closed").value).toBe(0);
    expect(one("envoy_cluster_upstream_cx_none_healthy", "closed").value).toBeGreaterThanOrEqual(1);
    expect(one("envoy_cluster_upstream_cx_none_healthy", "live").value).toBe(0);
    expect(one("envoy_cluster_upstream_cx_total", "live").value).toBeGreaterThanOrEqual(1);
    expect(one("envoy_cluster_upstream_rq_pending_overflow", "live").value).toBe(0);
    expect(one("envoy_tcp_downstream_cx_total", "live").value).toBeGreaterThanOrEqual(1);
    expect(one("envoy_tcp_downstream_cx_total", "closed").value).toBeGreaterThanOrEqual(1);
    expect(one("envoy_tcp_downstream_cx_rx_bytes_total", "live").value).toBeGreaterThanOrEqual(payload.length);
    expect(one("envoy_tcp_downstream_cx_tx_bytes_total", "live").value).toBeGreaterThanOrEqual(payload.length);
    // The tailnet's health keeps its name, and carries no service label.
    const tailnet = series(all, "envoy_cluster_membership_healthy", { envoy_cluster_name: `health-${TAILNET}` });
    expect(tailnet).toHaveLength(1);
    expect(tailnet[0]!.value).toBe(1);
    expect(tailnet[0]!.labels.service).toBeUndefined();
    expect(tailnet[0]!.labels.tailnet).toBeUndefined();
    // Every service cluster's gauge is labelled: none is left with only envoy_cluster_name.
    const gauges = series(all, "envoy_cluster_membership_healthy", {});
    expect(gauges.filter((g) => g.labels.service !== undefined).map((g) => g.labels.service)).toEqual(
      expect.arrayContaining(["live", "closed", "dead", "hole"]),
    );
    expect(gauges).toHaveLength(4 + 2); // the 4 services, health-a and envoy-admin
    closedEcho = await startEchoServer({ tag: "target-live", port: closedPort });
    await until(`/ready/${TAILNET}/closed`, 200, RECOVER_BOUND_MS + 10_000);
  }, 60_000);

  /** Breaks a target, measures detection and the fail-fast close, brings it back and measures recovery. */
  async function failAndRecover(
    service: string,
    target: string,
    tag: string,
    fault: () => Promise<void>,
    revive: () => Promise<void>,
  ): Promise<void> {
    expect(await status(`/ready/${TAILNET}/${service}`)).toBe(200);
    const t0 = Date.now();
    await fault();
    const detectMs = await until(`/ready/${TAILNET}/${service}`, 503, DETECT_BOUND_MS + 5_000);
    const detectedAt = Date.now() - t0;

    // The counter also counts the health path's 503 answers (the router finds no healthy host either), so it is
    // read between the polls above and this one connection.
    const refusedBefore = await noneHealthy(service);
    const uhBefore = uhLines(service);
    const r = await tcpExchange(pod.podIP, portOf(service), payload, 1, 5_000);
    expect(r.data.length, `${service}: bytes after the target is known down`).toBe(0);
    expect(["closed", "error"]).toContain(r.ended);
    expect(await noneHealthy(service)).toBe(refusedBefore + 1);
    // The live service, the tailnet and the other paths are untouched.
    expect(await served("live", "target-live")).toBe(true);
    expect(await status(`/ready/${TAILNET}`)).toBe(200);
    expect(await status(`/ready/${TAILNET}/live`)).toBe(200);

    await revive();
    const returnMs = await reachable(target, 60_000);
    const recoverMs = await until(`/ready/${TAILNET}/${service}`, 200, RECOVER_BOUND_MS + 10_000);
    expect(await served(service, tag)).toBe(true);

    // Envoy flushes its access log every 10 s: wait for the refused connection's line.
    const uh = await logged(service, "UH", uhBefore + 1);
    results[service] = {
      detectMs: detectedAt,
      closeMs: r.elapsedMs,
      returnMs,
      recoverMs,
    };
    console.log(
      `${service}: detected after ${detectedAt} ms (bound ${DETECT_BOUND_MS}), new connection closed after ${r.elapsedMs} ms, ` +
        `target reachable ${returnMs} ms after revival, 200 again ${recoverMs} ms later (bound ${RECOVER_BOUND_MS}), UH lines ${uhBefore} -> ${uh}`,
    );
    expect(detectMs).toBeLessThanOrEqual(DETECT_BOUND_MS);
    expect(r.elapsedMs).toBeLessThan(CLOSE_BOUND_MS);
    expect(recoverMs).toBeLessThanOrEqual(RECOVER_BOUND_MS);
    expect(uh).toBe(uhBefore + 1);
  }

  it("a closed port (nothing listens on the live node): 503 within the bound, closed at once, 200 again when it listens", async () => {
    await failAndRecover(
      "closed",
      `${live.ipv4}:${closedPort}`,
      "target-live",
      () => closedEcho.stop(),
      async () => {
        closedEcho = await startEchoServer({ tag: "target-live", port: closedPort });
      },
    );
  }, 120_000);

  it("a killed target node: 503 within the bound, connections closed at once, 200 again once it is back", async () => {
    await failAndRecover(
      "dead",
      `${dead.ipv4}:${dead.port}`,
      "target-dead",
      async () => {
        await dead.proc.kill();
      },
      () => dead.restart(),
    );
  }, 180_000);

  it("a black-holed target (its tailscaled stopped): 503 within the bound, closed at once, 200 again after SIGCONT", async () => {
    const tailscaled = descendantNamed(hole.proc.pid, "tailscaled");
    await failAndRecover(
      "hole",
      `${hole.ipv4}:${hole.port}`,
      "target-hole",
      async () => {
        process.kill(tailscaled, "SIGSTOP");
      },
      async () => {
        process.kill(tailscaled, "SIGCONT");
      },
    );
    console.log("target-health results (ms):", JSON.stringify(results));
  }, 180_000);
});
