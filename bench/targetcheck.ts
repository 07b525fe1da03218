// What the per-service target checks (envoy.targetCheck) cost and how fast they see a target go and come back,
// to choose their defaults.
//   cost      The chart's Envoy files at the capacity grid (10 tailnets x 100 services, planEnvoy) run in one
//             Envoy (the chart's --concurrency 2); each tailnet's loopback proxy is a stub that answers every
//             CONNECT with 200 and counts it per target, containerboot's /healthz a 200. Envoy's CPU time
//             (/proc/<pid>/stat) over a window, and the CONNECTs each target received per minute, for: the
//             default checks, checks every 1 s, and targetCheck.enabled false (every service follows its
//             tailnet's /healthz, checked at envoy.healthCheck.interval, 5 s).
//   timing    A real lab (headscale, a userspace target node, the pod with containerboot and tailscaled) with the
//             default checks: a closed port and a killed target node. Detection: fault -> /ready/<t>/<s> 503;
//             recovery: the target reachable again through the tailnet's proxy -> 200. Repeated; medians.
//   npm run bench -- targetcheck
//   BENCH_TC_WINDOW_S=20 BENCH_TC_REPEATS=3 npm run bench -- targetcheck (the defaults)
import http from "node:http";
import net from "node:net";
import { loadavg } from "node:os";
import { startEnvoy, type RunningEnvoy } from "../tools/src/local/envoy.ts";
import {
  connectThroughProxy,
  cpuSeconds,
  freeTcpPort,
  requireBinaries,
  startEchoServer,
  startHeadscale,
  startTarget,
  type EchoServer,
} from "../tools/src/local/lab/index.ts";
import { cleanupAll } from "../tools/src/local/lab/cleanup.ts";
import { labValues, renderValues } from "../tools/src/local/pod/demo.ts";
import { startPod, waitHealthy } from "../tools/src/local/pod/pod.ts";
import { servicePorts } from "../tools/src/helm/manifests.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";
import { envoyConcurrency } from "../tools/src/plan/concurrency.ts";
import { durationMs } from "../tools/src/plan/duration.ts";
import { planEnvoy } from "../tools/src/plan/envoy.ts";
import { loadValues } from "../tools/src/values/load.ts";
import { validateValues } from "../tools/src/values/validate.ts";
import type { Values } from "../tools/src/generated/values.ts";
import { scaleValues } from "./values.ts";
import { figure, rerunCommand, sampledFigure, type Figure, type Section } from "./lib/results.ts";
import { median } from "./lib/stats.ts";

const WINDOW_S = Number(process.env.BENCH_TC_WINDOW_S ?? 20);
const REPEATS = Number(process.env.BENCH_TC_REPEATS ?? 3);
const GRID = { tailnets: 10, services: 100 };
const LOOPBACK = "127.0.0.1";
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function checkedValues(doc: object): Promise<Values> {
  const r = validateValues(await loadValues([tmpValues(doc)]), "tailscale-egress");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.values;
}

/** A tailnet proxy stand-in: 200 to every CONNECT (counted by target), then holds until Envoy closes. */
async function connectStub(): Promise<{ port: number; counts: Map<string, number>; close(): void }> {
  const counts = new Map<string, number>();
  const socks = new Set<net.Socket>();
  const server = net.createServer((s) => {
    socks.add(s);
    s.on("close", () => socks.delete(s));
    s.on("error", () => s.destroy());
    let head = "";
    const onData = (d: Buffer): void => {
      head += d.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      s.off("data", onData);
      const target = /^CONNECT (\S+) /.exec(head)?.[1];
      if (target) {
        counts.set(target, (counts.get(target) ?? 0) + 1);
        s.write("HTTP/1.1 200 OK\r\n\r\n");
      } else s.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
    };
    s.on("data", onData);
  });
  await new Promise<void>((r) => server.listen({ host: LOOPBACK, port: 0 }, () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    counts,
    close: () => {
      for (const s of socks) s.destroy();
      server.close();
    },
  };
}

async function healthz(): Promise<{ port: number; hits: () => number; close(): void }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen({ host: LOOPBACK, port: 0 }, () => r()));
  return { port: (server.address() as net.AddressInfo).port, hits: () => hits, close: () => server.close() };
}

interface Cost {
  label: string;
  cpuPerS: number[];
  probesPerMinPerTarget: number;
  probesPerMinTotal: number;
  healthzPerMin: number;
}

async function cost(label: string, envoyValues: object): Promise<Cost> {
  const values = await checkedValues({ ...scaleValues(GRID), envoy: envoyValues });
  const plan = planEnvoy(values, "tailscale-egress");
  const stubs = await Promise.all(plan.ports.tailnets.map(() => connectStub()));
  const healths = await Promise.all(plan.ports.tailnets.map(() => healthz()));
  const ports = new Map<number, number>();
  plan.ports.tailnets.forEach((tn, i) => {
    ports.set(tn.proxyPort, stubs[i]!.port);
    ports.set(tn.localPort, healths[i]!.port);
  });
  let envoy: RunningEnvoy | undefined;
  try {
    envoy = await startEnvoy(plan.files, { extraPorts: ports, concurrency: envoyConcurrency(values) });
    await waitHealthy(envoy, envoy.files, 120_000);
    await sleep(2_000);
    const cpuPerS: number[] = [];
    let probes = 0;
    let healthz = 0;
    for (let r = 0; r < REPEATS; r++) {
      const count = () => stubs.reduce((n, s) => n + [...s.counts.values()].reduce((a, b) => a + b, 0), 0);
      const hz = () => healths.reduce((n, h) => n + h.hits(), 0);
      const [p0, h0, c0, t0] = [count(), hz(), cpuSeconds(envoy.pid), Date.now()];
      await sleep(WINDOW_S * 1000);
      const [p1, h1, c1, t1] = [count(), hz(), cpuSeconds(envoy.pid), Date.now()];
      const s = (t1 - t0) / 1000;
      cpuPerS.push((c1 - c0) / s);
      probes += ((p1 - p0) / s) * 60;
      healthz += ((h1 - h0) / s) * 60;
    }
    const services = plan.ports.services.length;
    const result = {
      label,
      cpuPerS,
      probesPerMinTotal: probes / REPEATS,
      probesPerMinPerTarget: probes / REPEATS / services,
      healthzPerMin: healthz / REPEATS,
    };
    console.error(
      `targetcheck cost ${label}: Envoy ${cpuPerS.map((c) => c.toFixed(3)).join("/")} CPU s/s, ${result.probesPerMinTotal.toFixed(0)} CONNECT probes/min (${result.probesPerMinPerTarget.toFixed(2)} per target), ${result.healthzPerMin.toFixed(0)} /healthz/min`,
    );
    return result;
  } finally {
    await envoy?.stop();
    for (const s of [...stubs, ...healths]) s.close();
  }
}

interface Timing {
  fault: string;
  detectMs: number[];
  recoverMs: number[];
}

/** Detection and recovery with the default checks, on the real lab. */
async function timing(): Promise<{ timings: Timing[]; settings: string }> {
  requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
  const hs = await startHeadscale({ name: "tc" });
  const [live, dead] = await Promise.all([
    startTarget({ hostname: "tc-live", headscale: hs }),
    startTarget({ hostname: "tc-dead", headscale: hs }),
  ]);
  const closedPort = await freeTcpPort();
  let closed: EchoServer = await startEchoServer({ port: closedPort });
  const services = [
    { name: "closed", host: live.ipv4, port: closedPort },
    { name: "dead", host: dead.ipv4, port: dead.port },
  ];
  const manifests = await renderValues(labValues("tc", hs, services));
  const pod = await startPod(manifests, { ports: "free" });
  const health = servicePorts(manifests).find((p) => p.name === "health")!.port;
  const status = async (path: string): Promise<number> =>
    (await fetch(`http://${pod.podIP}:${pod.port(health)}${path}`).catch(() => undefined))?.status ?? 0;
  const until = async (path: string, want: number): Promise<number> => {
    const t0 = Date.now();
    while ((await status(path)) !== want) {
      if (Date.now() - t0 > 120_000) throw new Error(`${path} never answered ${want}`);
      await sleep(50);
    }
    return Date.now() - t0;
  };
  const reachable = async (target: string): Promise<void> => {
    const proxyPort = pod.tailscale.get("tc")!.proxyPort ?? -1;
    for (let t0 = Date.now(); Date.now() - t0 < 120_000; await sleep(50)) {
      const r = await connectThroughProxy({ proxyPort, target, payload: "x", expectBytes: 1, timeoutMs: 1_000 });
      if (r.status === 200 && r.body.length > 0) return;
    }
    throw new Error(`${target} never reachable`);
  };
  const values = await checkedValues(labValues("tc", hs, services));
  const tc = values.envoy.targetCheck;
  const out: Timing[] = [
    { fault: "closed port", detectMs: [], recoverMs: [] },
    { fault: "killed target node", detectMs: [], recoverMs: [] },
  ];
  try {
    for (const s of ["closed", "dead"]) await until(`/ready/tc/${s}`, 200);
    for (let r = 0; r < REPEATS; r++) {
      // Faults at a random point of the check interval, as they come.
      await sleep(Math.random() * (durationMs(tc.interval) ?? 0));
      let t0 = Date.now();
      await closed.stop();
      await until("/ready/tc/closed", 503);
      out[0]!.detectMs.push(Date.now() - t0);
      closed = await startEchoServer({ port: closedPort });
      t0 = Date.now();
      await until("/ready/tc/closed", 200);
      out[0]!.recoverMs.push(Date.now() - t0);

      await sleep(Math.random() * (durationMs(tc.interval) ?? 0));
      t0 = Date.now();
      await dead.proc.kill();
      await until("/ready/tc/dead", 503);
      out[1]!.detectMs.push(Date.now() - t0);
      await dead.restart();
      await reachable(`${dead.ipv4}:${dead.port}`);
      t0 = Date.now();
      await until("/ready/tc/dead", 200);
      out[1]!.recoverMs.push(Date.now() - t0);
      console.error(
        `targetcheck timing ${r + 1}: closed ${out[0]!.detectMs.at(-1)}/${out[0]!.recoverMs.at(-1)} ms, dead ${out[1]!.detectMs.at(-1)}/${out[1]!.recoverMs.at(-1)} ms (detect/recover)`,
      );
    }
  } finally {
    await pod.stop();
    await cleanupAll();
  }
  const settings = `interval ${tc.interval}, unhealthyInterval ${tc.unhealthyInterval}, timeout ${tc.timeout}, unhealthyThreshold ${tc.unhealthyThreshold}, healthyThreshold ${tc.healthyThreshold}`;
  return { timings: out, settings };
}

export async function run(): Promise<Section> {
  const load0 = loadavg();
  const defaults = (await checkedValues(scaleValues({ tailnets: 1, services: 1 }))).envoy;
  const intervalMs = durationMs(defaults.targetCheck.interval) ?? 0;
  const timeoutMs = durationMs(defaults.targetCheck.timeout) ?? 0;
  const costs = [
    await cost("default checks", {}),
    await cost("checks every 1 s", { targetCheck: { interval: "1s" } }),
    await cost("targetCheck off", { targetCheck: { enabled: false } }),
  ];
  const { timings, settings } = await timing();
  const services = GRID.tailnets * GRID.services;
  const [def, fast, off] = costs as [Cost, Cost, Cost];
  const figures: Figure[] = [
    sampledFigure(
      `Envoy CPU, ${services} services, default checks`,
      def.cpuPerS,
      "CPU s/s",
      off.cpuPerS,
      "targetCheck off: /healthz per service",
    ),
    sampledFigure(
      `Envoy CPU, ${services} services, checks every 1 s`,
      fast.cpuPerS,
      "CPU s/s",
      def.cpuPerS,
      "default checks",
    ),
    figure(
      "probe connections per target per minute, default checks (one pod)",
      def.probesPerMinPerTarget,
      "/min",
      60_000 / intervalMs,
      "60 / interval",
    ),
    figure(
      `probe connections per minute, ${services} targets, default checks (one pod)`,
      def.probesPerMinTotal,
      "/min",
      (services * 60_000) / intervalMs,
      "services x 60 / interval",
    ),
  ];
  // A failing check takes up to its timeout, and the next starts an interval later: two in a row.
  const bound = 2 * (intervalMs + timeoutMs);
  for (const t of timings) {
    figures.push(
      sampledFigure(`detection, ${t.fault}`, t.detectMs, "ms", bound, "2 x (interval + timeout)", (v, b) => v <= b),
      sampledFigure(
        `recovery, ${t.fault}`,
        t.recoverMs,
        "ms",
        2 * intervalMs + timeoutMs,
        "2 x interval + timeout",
        (v, b) => v <= b,
      ),
    );
  }
  const load1 = loadavg();
  return {
    title: "Target checks",
    command: rerunCommand("targetcheck", ["BENCH_TC_WINDOW_S", "BENCH_TC_REPEATS"]),
    figures,
    notes: [
      `Cost: the chart's Envoy files for a ${GRID.tailnets} x ${GRID.services} grid (planEnvoy, default values otherwise) in one Envoy with --concurrency 2; each tailnet's proxy a loopback stub answering every CONNECT with 200 and counting it by target (a new connection per check, closed by Envoy on the answer), containerboot's /healthz a 200. After every check passed and 2 s more: ${REPEATS} windows of ${WINDOW_S} s; Envoy CPU time from /proc/<pid>/stat. Per configuration (CPU s/s per window; probes/min; /healthz/min): ${costs.map((c) => `${c.label}: ${c.cpuPerS.map((x) => x.toFixed(3)).join(", ")}; ${c.probesPerMinTotal.toFixed(0)}; ${c.healthzPerMin.toFixed(0)}`).join(" | ")}. On F5 XC vK8s each site's pod checks every target, so a target receives the per-pod figure times the number of sites.`,
      `Timing: one lab tailnet (headscale, userspace target nodes, the chart's pod by the e2e harness) with the default checks (${settings}); ${REPEATS} rounds, each fault injected after a random part of an interval. Detection: the fault (echo server stopped: the target node's tailscaled answers the CONNECT with an error at once; tailscaled SIGKILLed: no answer, so each check waits for its timeout) -> /ready/<tailnet>/<service> 503, polled every 50 ms. Recovery: the echo server listening again, or the killed node restarted from its state and reachable through the pod's tailnet proxy (polled) -> 200. The rows' (min–max) span the rounds. Medians: ${timings.map((t) => `${t.fault} ${median(t.detectMs)}/${median(t.recoverMs)} ms`).join(", ")} (detect/recover).`,
      `Load average (1/5/15 min) before: ${load0.map((x) => x.toFixed(2)).join("/")}, after: ${load1.map((x) => x.toFixed(2)).join("/")}; 2 cores shared with other work.`,
    ],
  };
}
