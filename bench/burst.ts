// Connection bursts: N connections opened at once to one service port, each sending PAYLOAD_KIB of
// random bytes to an exact echo behind the tailnet and waiting for them back. Bursts grow (BURSTS) until one is
// not served byte-exact; the figure is the largest burst that was. During each burst the Envoy's resident memory
// (VmRSS) and its pending CONNECTs (cluster.<ts>.upstream_rq_pending_active) are sampled, and its CPU time
// (/proc/<pid>/stat) read before and after: what a pending CONNECT costs. Overflows of the circuit breaker
// (envoy.circuitBreakers.maxPendingRequests) are read from upstream_rq_pending_overflow.
//   npm run bench -- burst
//   BENCH_BURSTS=250,500,1000,2000,4000 BENCH_BURST_KIB=64 npm run bench -- burst (the defaults)
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { servicePorts } from "../tools/src/helm/manifests.ts";
import { CDS_FILE } from "../tools/src/plan/envoy.ts";
import { cleanupAll, cpuSeconds, requireBinaries, startHeadscale, startTarget } from "../tools/src/local/lab/index.ts";
import { labValues, renderValues } from "../tools/src/local/pod/demo.ts";
import { tcpExchange } from "../tools/src/local/pod/net.ts";
import { startPod, type RunningPod } from "../tools/src/local/pod/pod.ts";
import { figure, rerunCommand, type Figure, type Section } from "./lib/results.ts";

const BURSTS = (process.env.BENCH_BURSTS ?? "250,500,1000,2000,4000").split(",").map(Number);
const PAYLOAD_KIB = Number(process.env.BENCH_BURST_KIB ?? 64);
const TAILNET = "burst";
/** The one service's cluster, <tailnet>_<service>. */
const CLUSTER = `${TAILNET}_echo`;
const MiB = 2 ** 20;

interface Burst {
  size: number;
  exact: number;
  ms: number;
  peakRssMiB: number;
  peakPending: number;
  cpuS: number;
  overflow: number;
}

/** The echo service's cluster's pending-CONNECT limit, as rendered (envoy.circuitBreakers.maxPendingRequests). */
function maxPendingRequests(pod: RunningPod): number {
  const cds = pod.rendered.envoy.files[CDS_FILE] as {
    resources: { name: string; circuit_breakers?: { thresholds: { max_pending_requests: number }[] } }[];
  };
  return cds.resources.find((c) => c.name === CLUSTER)!.circuit_breakers!.thresholds[0]!.max_pending_requests;
}

const rssMiB = (pid: number): number =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

async function burst(pod: RunningPod, port: number, size: number): Promise<Burst> {
  const cluster = `cluster.${CLUSTER}`;
  const stat = async (name: string): Promise<number> =>
    (await pod.envoy.stats(`^${cluster.replace(/[.-]/g, "\\$&")}\\.${name}$`))[`${cluster}.${name}`] ?? 0;
  const overflow0 = await stat("upstream_rq_pending_overflow");
  const cpu0 = cpuSeconds(pod.envoy.pid);
  let peakRssMiB = rssMiB(pod.envoy.pid);
  let peakPending = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRssMiB = Math.max(peakRssMiB, rssMiB(pod.envoy.pid));
      peakPending = Math.max(peakPending, await stat("upstream_rq_pending_active"));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: size }, async () => {
      const payload = crypto.randomBytes(PAYLOAD_KIB * 1024);
      const r = await tcpExchange(pod.podIP, port, payload, payload.length, 120_000);
      return r.data.equals(payload);
    }),
  );
  const ms = performance.now() - t0;
  sampling = false;
  await sampler;
  return {
    size,
    exact: results.filter(Boolean).length,
    ms,
    peakRssMiB,
    peakPending,
    cpuS: cpuSeconds(pod.envoy.pid) - cpu0,
    overflow: (await stat("upstream_rq_pending_overflow")) - overflow0,
  };
}

export async function run(): Promise<Section> {
  requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
  const load0 = loadavg();
  try {
    const hs = await startHeadscale({ name: TAILNET });
    const target = await startTarget({ hostname: "burst-target", headscale: hs });
    const doc = labValues(TAILNET, hs, [{ name: "echo", host: target.ipv4, port: target.exactPort }]);
    const manifests = await renderValues(doc);
    const pod = await startPod(manifests, { ports: "free" });
    const port = pod.port(servicePorts(manifests).find((p) => p.name === "echo")!.port);
    const maxPending = maxPendingRequests(pod);
    await tcpExchange(pod.podIP, port, Buffer.from("warm"), 4); // WireGuard handshake and the proxy's dial path
    const idleRssMiB = rssMiB(pod.envoy.pid);
    const bursts: Burst[] = [];
    for (const size of BURSTS) {
      const b = await burst(pod, port, size);
      bursts.push(b);
      console.error(
        `burst ${size}: ${b.exact} byte-exact in ${b.ms.toFixed(0)} ms, peak RSS ${b.peakRssMiB.toFixed(1)} MiB, peak pending ${b.peakPending}, CPU ${b.cpuS.toFixed(2)} s, overflow ${b.overflow}`,
      );
      if (b.exact < size) break;
    }
    const served = bursts.filter((b) => b.exact === b.size);
    const largest = served.at(-1);
    // The cost per connection, from the largest burst served (the first one when none was).
    const costly = largest ?? bursts[0]!;
    const figures: Figure[] = [
      figure(
        "largest simultaneous burst served byte-exact",
        largest?.size ?? 0,
        "connections",
        maxPending,
        "envoy.circuitBreakers.maxPendingRequests as rendered",
      ),
      figure(
        `Envoy memory per connection of a ${costly.size}-connection burst`,
        ((costly.peakRssMiB - idleRssMiB) * MiB) / 1024 / costly.size,
        "KiB",
        PAYLOAD_KIB,
        "payload per connection (KiB)",
      ),
      figure(
        `Envoy CPU per connection of a ${costly.size}-connection burst`,
        (costly.cpuS * 1000) / costly.size,
        "ms",
        1,
        "reference 1 ms",
      ),
    ];
    const notes = [
      `Setup: one lab tailnet (headscale + userspace target node with an exact echo), the chart's default values rendered by Helm 3 and run by the e2e pod harness (Envoy with the rendered --concurrency). Each burst: N connections opened at once to one service port, each sending ${PAYLOAD_KIB} KiB of random bytes and waiting for them back; bursts grow until one is not served byte-exact. Envoy's idle RSS ${idleRssMiB.toFixed(1)} MiB.`,
      "Bursts (size: byte-exact, wall time, Envoy peak RSS, peak pending CONNECTs sampled every 50 ms from the admin API (a lower bound), Envoy CPU, pending overflows (exact)): " +
        bursts
          .map(
            (b) =>
              `${b.size}: ${b.exact}, ${(b.ms / 1000).toFixed(1)} s, ${b.peakRssMiB.toFixed(1)} MiB, ${b.peakPending}, ${b.cpuS.toFixed(2)} s, ${b.overflow}`,
          )
          .join("; ") +
        ".",
      `Load average (1/5/15 min) before: ${load0.map((x) => x.toFixed(2)).join("/")}, after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join("/")}.`,
    ];
    return {
      title: "Connection bursts",
      command: rerunCommand("burst", ["BENCH_BURSTS", "BENCH_BURST_KIB"]),
      figures,
      notes,
    };
  } finally {
    const failures = await cleanupAll();
    if (failures.length) console.error("burst cleanup failures:", JSON.stringify(failures));
  }
}
