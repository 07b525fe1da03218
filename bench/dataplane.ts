// Data plane, on the e2e harness's real processes: a lab tailnet (headscale + a userspace target
// node with a bulk source and an exact echo behind it), the chart's values rendered by Helm and the rendered
// pod run by tools/src/local/pod (Envoy with the ConfigMap's files, the real containerboot/tailscaled as uid 65532).
// Next to it, an Envoy with the origin templates' style of config (bench/origin-style.ts), generated from the
// same plan and pointed at the same tailnet proxy. Paths:
//   a  a service port: Envoy -> Tailscale HTTP proxy -> tailnet -> target (ours, and origin style)
//   b  the same target through the Tailscale HTTP proxy directly, the client doing CONNECT
//   c  the target's local port directly (the machine's limit)
// Throughput: downloads from the bulk source, 1 stream and 32 concurrent, paths in rotating order, medians of
// REPEATS runs. Setup latency: connect -> tunnel -> one byte echoed, CONNS sequential connections per path,
// interleaved across paths. Everything is a ratio against a baseline measured in the same run.
//   npm run bench -- dataplane
//   BENCH_ENVOY_CONCURRENCY=<cores> BENCH_REPEATS=9 BENCH_CONNS=1000 npm run bench -- dataplane (the defaults)
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { startEnvoy, type RunningEnvoy } from "../tools/src/local/envoy.ts";
import { cleanupAll, requireBinaries, startHeadscale, startSourceServer, startTarget } from "../tools/src/local/lab/index.ts";
import { renderValues } from "../tools/src/local/pod/demo.ts";
import { startPod, type RunningPod } from "../tools/src/local/pod/pod.ts";
import type { Values } from "../tools/src/generated/values.ts";
import { planPorts } from "../tools/src/plan/ports.ts";
import { loadValues } from "../tools/src/values/load.ts";
import { validateValues } from "../tools/src/values/validate.ts";
import { download, roundTrip, type Path } from "./lib/flow.ts";
import { figure, type Figure, type Section } from "./lib/results.ts";
import { median, percentile } from "./lib/stats.ts";
import { originStyleFiles } from "./origin-style.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const envInt = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);
/** Envoy's worker threads: by default what the pod's Envoy uses, one per core (the chart sets no --concurrency). */
const DEFAULT_CONCURRENCY = cpus().length;
const CONCURRENCY = envInt("BENCH_ENVOY_CONCURRENCY", DEFAULT_CONCURRENCY);
const REPEATS = envInt("BENCH_REPEATS", 9);
const CONNS = envInt("BENCH_CONNS", 1000);
const MiB = 2 ** 20;
/** Bytes per stream: one stream, and each of the 32 concurrent streams. */
const SIZE = { 1: envInt("BENCH_MIB_1", 64) * MiB, 32: envInt("BENCH_MIB_32", 4) * MiB } as const;
const STREAMS = [1, 32] as const;
/** Tuning experiment: envoy.bufferLimitBytes in KiB (default: the chart's, 32 KiB). */
const BUFFER_KIB = process.env.BENCH_BUFFER_KIB ? Number(process.env.BENCH_BUFFER_KIB) : undefined;
const LATENCY_DEADLINE_MS = 240_000;

type PathName = "a" | "a-origin" | "b" | "c";
const PATHS: PathName[] = ["a", "a-origin", "b", "c"];
const LABEL: Record<PathName, string> = {
  a: "a (service port, our config)",
  "a-origin": "a (service port, origin-style config)",
  b: "b (Tailscale proxy directly)",
  c: "c (target port directly)",
};

// ---- CPU time of process trees (/proc), to see where the time goes --------------------------------------

const TICK_MS = 10; // USER_HZ 100
function treeTicks(pid: number): number {
  let ticks = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean)) ticks += treeTicks(Number(c));
    }
  } catch {
    // gone
  }
  return ticks;
}
const selfMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

type Meter = Record<string, () => number>;
/** CPU ms per component over fn, and fn's wall ms. */
async function metered<T>(meter: Meter, fn: () => Promise<T>): Promise<{ result: T; cpuMs: Record<string, number>; wallMs: number }> {
  const before = Object.fromEntries(Object.entries(meter).map(([k, f]) => [k, f()]));
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  return { result, wallMs, cpuMs: Object.fromEntries(Object.entries(meter).map(([k, f]) => [k, f() - before[k]!])) };
}

// ---- the run -------------------------------------------------------------------------------------------

const rotate = <T>(xs: readonly T[], i: number): T[] => xs.map((_, j) => xs[(i + j) % xs.length]!);
const fmt = (x: number, d = 2): string => x.toFixed(d);

export async function run(): Promise<Section> {
  requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
  const load0 = loadavg();
  const notes: string[] = [];
  let origin: RunningEnvoy | undefined;
  let pod: RunningPod | undefined;
  try {
    const hs = await startHeadscale({ name: "bench" });
    const [target, source] = await Promise.all([startTarget({ hostname: "bench-target", headscale: hs }), startSourceServer()]);
    const doc = {
      tailscale: { tags: [] },
      ...(BUFFER_KIB === undefined ? {} : { envoy: { bufferLimitBytes: BUFFER_KIB * 1024 } }),
      tailnets: [
        {
          name: "bench",
          authKey: hs.authKey,
          loginServer: hs.url,
          services: [
            { name: "bulk", host: target.ipv4, port: source.port },
            { name: "echo", host: target.ipv4, port: target.exactPort },
          ],
        },
      ],
    };
    const checked = validateValues(await loadValues([tmpValues(doc)]), "tailscale-egress");
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const values: Values = checked.values;
    const plan = planPorts(values);
    pod = await startPod(await renderValues(doc), { ports: "free", envoyConcurrency: CONCURRENCY });
    const ts = pod.tailscale.get("bench")!;
    const proxyPort = pod.port(plan.tailnets[0]!.proxyPort);
    origin = await startEnvoy(originStyleFiles(values), { extraPorts: new Map([[plan.tailnets[0]!.proxyPort, proxyPort]]), concurrency: CONCURRENCY });
    const [bulkSvc, echoSvc] = plan.services;
    const lo = "127.0.0.1";
    const paths = (svc: typeof bulkSvc, targetPort: number): Record<PathName, Path> => ({
      a: { host: lo, port: pod!.port(svc!.listenPort) },
      "a-origin": { host: lo, port: origin!.ports.get(svc!.listenPort)! },
      b: { host: lo, port: proxyPort, tunnel: `${target.ipv4}:${targetPort}` },
      c: { host: lo, port: targetPort },
    });
    const bulk = paths(bulkSvc, source.port);
    const echo = paths(echoSvc, target.exactPort);
    const ourEnvoy = pod.envoy;
    const meter: Meter = {
      "Envoy (ours)": () => treeTicks(ourEnvoy.pid) * TICK_MS,
      "Envoy (origin style)": () => treeTicks(origin!.pid) * TICK_MS,
      "pod tailscaled (containerboot tree)": () => treeTicks(ts.proc().pid) * TICK_MS,
      "target tailscaled": () => treeTicks(target.proc.pid) * TICK_MS,
      "bench client + servers (node)": selfMs,
    };

    // Warm-up: WireGuard handshake, proxy dial paths, Envoy connection setup.
    for (const p of PATHS) {
      for (let i = 0; i < 5; i++) await roundTrip(echo[p]);
      await download(bulk[p], 4 * MiB);
    }

    // ---- throughput --------------------------------------------------------------------------------------
    const mbps: Record<string, number[]> = {};
    const cpu: Record<string, { cpuMs: Record<string, number>; wallMs: number }> = {};
    const t0 = performance.now();
    for (let r = 0; r < REPEATS; r++) {
      for (const streams of STREAMS) {
        for (const p of rotate(PATHS, r)) {
          const bytes = SIZE[streams];
          const m = await metered(meter, () => Promise.all(Array.from({ length: streams }, () => download(bulk[p], bytes))));
          const key = `${p}/${streams}`;
          (mbps[key] ??= []).push((bytes * streams) / MiB / (Math.max(...m.result) / 1000));
          const acc = (cpu[key] ??= { cpuMs: {}, wallMs: 0 });
          acc.wallMs += m.wallMs;
          for (const [k, v] of Object.entries(m.cpuMs)) acc.cpuMs[k] = (acc.cpuMs[k] ?? 0) + v;
        }
      }
    }
    const throughputS = (performance.now() - t0) / 1000;
    const tp = (p: PathName, s: number): number => median(mbps[`${p}/${s}`]!);

    // ---- setup latency -----------------------------------------------------------------------------------
    const lat: Record<PathName, number[]> = { a: [], "a-origin": [], b: [], c: [] };
    const t1 = performance.now();
    for (let i = 0; i < CONNS; i++) {
      if (performance.now() - t1 > LATENCY_DEADLINE_MS) throw new Error(`setup latency: ${i} of ${CONNS} rounds in ${LATENCY_DEADLINE_MS} ms, giving up`);
      for (const p of rotate(PATHS, i)) lat[p].push(await roundTrip(echo[p]));
    }
    const latencyS = (performance.now() - t1) / 1000;
    const p50 = (p: PathName): number => percentile(lat[p], 50);
    const p99 = (p: PathName): number => percentile(lat[p], 99);

    // ---- where the time goes: Envoy's flow-control and buffer counters, CPU per component ----------------
    const flow = async (e: RunningEnvoy): Promise<string> => {
      const s = await e.stats("^(cluster|tcp)\\..*(flow_control|overflow|upstream_cx_total$|downstream_cx_total$)");
      const nonzero = Object.entries(s).filter(([k, v]) => v > 0 && !/^cluster\.(health-|envoy-admin)/.test(k));
      return nonzero.map(([k, v]) => `${k}=${v}`).join(", ") || "none";
    };
    const [flowOurs, flowOrigin] = [await flow(ourEnvoy), await flow(origin)];

    // ---- figures -----------------------------------------------------------------------------------------
    const figures: Figure[] = [];
    for (const s of STREAMS) {
      const n = `throughput ${s} stream${s > 1 ? "s" : ""}`;
      figures.push(figure(`${n}, a/b (Envoy's cost; target >= 0.9)`, tp("a", s), "MiB/s", tp("b", s), LABEL.b, tp("a", s) / tp("b", s) >= 0.9));
      figures.push(figure(`${n}, a/c (vs the machine's limit)`, tp("a", s), "MiB/s", tp("c", s), LABEL.c));
      figures.push(figure(`${n}, origin-style a/b`, tp("a-origin", s), "MiB/s", tp("b", s), LABEL.b));
      figures.push(figure(`${n}, ours/origin-style (target >= 0.95)`, tp("a", s), "MiB/s", tp("a-origin", s), LABEL["a-origin"], tp("a", s) / tp("a-origin", s) >= 0.95));
    }
    figures.push(figure("setup p50, a/b", p50("a"), "ms", p50("b"), LABEL.b));
    figures.push(figure("setup p99, a/b", p99("a"), "ms", p99("b"), LABEL.b));
    figures.push(figure("setup p99 added by Envoy, a - b (target < 1 ms)", p99("a") - p99("b"), "ms", 1, "target 1 ms", p99("a") - p99("b") < 1));
    figures.push(figure("setup p50, origin-style a/b", p50("a-origin"), "ms", p50("b"), LABEL.b));
    figures.push(figure("setup p99, origin-style a/b", p99("a-origin"), "ms", p99("b"), LABEL.b));
    figures.push(figure("setup p50, ours/origin-style (target <= 1.05)", p50("a"), "ms", p50("a-origin"), LABEL["a-origin"], p50("a") <= 1.05 * p50("a-origin")));
    figures.push(figure("setup p99, ours/origin-style (target <= 1.05)", p99("a"), "ms", p99("a-origin"), LABEL["a-origin"], p99("a") <= 1.05 * p99("a-origin")));
    figures.push(figure("setup p50, b/c (the tunnel's own cost)", p50("b"), "ms", p50("c"), LABEL.c));

    const load1 = loadavg();
    const cpuNote = (key: string): string => {
      const c = cpu[key]!;
      return Object.entries(c.cpuMs).map(([k, v]) => `${k} ${fmt(v / c.wallMs)}`).join(", ");
    };
    notes.push(
      `Setup: one lab tailnet (headscale + userspace target node), the chart's values${BUFFER_KIB === undefined ? "" : ` with envoy.bufferLimitBytes ${BUFFER_KIB} KiB (tuning run)`} (2 services by tailnet IPv4: a bulk source and an exact echo) rendered by Helm 3 and run by the e2e pod harness (Envoy --concurrency ${CONCURRENCY}, containerboot/tailscaled userspace as uid 65532); the origin-style Envoy (bench/origin-style.ts, same plan, same tailnet proxy, same --concurrency) runs next to it. All on 127.0.0.1.`,
      `Throughput: downloads of ${SIZE[1] / MiB} MiB (1 stream) and 32 x ${SIZE[32] / MiB} MiB (32 concurrent), time from TCP connect to the last byte; median of ${REPEATS} runs per path, paths in rotating order (${fmt(throughputS, 1)} s in all). MiB/s medians: ` +
        STREAMS.map((s) => `${s} stream(s): ` + PATHS.map((p) => `${p} ${fmt(tp(p, s), 1)} (${fmt(Math.min(...mbps[`${p}/${s}`]!), 1)}..${fmt(Math.max(...mbps[`${p}/${s}`]!), 1)})`).join(", ")).join("; ") + " (median, min..max).",
      `Setup latency: ${CONNS} sequential connections per path, interleaved across paths (${fmt(latencyS, 1)} s): connect -> CONNECT 200 (path b by the client, a by Envoy) -> one byte echoed back. p50/p99 ms: ` +
        PATHS.map((p) => `${p} ${fmt(p50(p), 3)}/${fmt(p99(p), 3)}`).join(", ") + ".",
      `CPU (cores busy, averaged over the throughput runs), 1 stream through a: ${cpuNote("a/1")}. 32 streams through a: ${cpuNote("a/32")}. 32 streams through b: ${cpuNote("b/32")}. 32 streams through a origin-style: ${cpuNote("a-origin/32")}.`,
      `Envoy counters after the run (nonzero flow-control/buffer/cx counters): ours: ${flowOurs}. Origin style: ${flowOrigin}.`,
      "What was tried for the misses (2026-11-26, this machine): (1) Envoy --concurrency 1 vs 2 on a loaded machine (load 4-7): with 1 worker and 5 repeats the ratios flipped between runs (1-stream a/b 0.84..0.97, p99 a - b 0.7..2.0 ms). (2) On a quiet machine with 2 workers, the chart's 32 KiB buffers against 128 KiB and 1 MiB (`BENCH_BUFFER_KIB`), 7-9 repeats each: 32-stream a/b 0.899 and 0.878 (32 KiB), 0.866 (128 KiB), 0.981 (1 MiB); 1-stream a/b 0.909 and 0.945 (32 KiB), 0.909 (128 KiB), 0.883 (1 MiB); p99 a - b 0.63 and 0.58 ms (32 KiB), 1.62 (128 KiB), 2.19 ms (1 MiB). Larger buffers cut Envoy's flow-control pauses (upstream paused-reading events ~9,500 -> ~50) but did not move the ratios consistently beyond the run-to-run spread (min..max above is about +-10-20%). (3) Where the time goes: the pod's and the target's userspace tailscaled use about 1.1 of the 2 cores and the client about 0.2, so the box is CPU-bound and Envoy's own 0.1 core (an extra copy and hop) comes straight out of tailnet throughput; with 32 streams the gap to b is largest. The chart keeps 32 KiB (Envoy's edge guidance bounds memory per connection); the 32-stream a/b target is missed by a few percent here and is left open.",

      `Load average (1/5/15 min) before: ${load0.map((x) => fmt(x)).join("/")}, after: ${load1.map((x) => fmt(x)).join("/")}; 2 cores shared by the client, both Envoys, two userspace tailscaleds and any other work on the machine.`,
    );
    const command = [
      CONCURRENCY !== DEFAULT_CONCURRENCY ? `BENCH_ENVOY_CONCURRENCY=${CONCURRENCY}` : "",
      REPEATS !== 9 ? `BENCH_REPEATS=${REPEATS}` : "",
      CONNS !== 1000 ? `BENCH_CONNS=${CONNS}` : "",
      BUFFER_KIB !== undefined ? `BENCH_BUFFER_KIB=${BUFFER_KIB}` : "",
      process.env.BENCH_MIB_1 ? `BENCH_MIB_1=${process.env.BENCH_MIB_1}` : "",
      process.env.BENCH_MIB_32 ? `BENCH_MIB_32=${process.env.BENCH_MIB_32}` : "",
      "npm run bench -- dataplane",
    ].filter(Boolean).join(" ");
    return { title: "Data plane", command, figures, notes };
  } finally {
    await origin?.stop();
    const failures = await cleanupAll();
    if (failures.length) console.error("dataplane cleanup failures:", JSON.stringify(failures));
  }
}
