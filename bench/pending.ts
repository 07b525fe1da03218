// What a CONNECT that the tailnet proxy has not answered costs Envoy, to choose the default of
// envoy.circuitBreakers.maxPendingRequests. No tailnet: the chart's Envoy files (planEnvoy, the chart's default
// values with one service) run in a fresh Envoy for each N, with the tailnet's loopback proxy replaced by a stub
// and containerboot's /healthz by a 200. N client connections are opened at once and held; Envoy's resident
// memory (VmRSS) and CPU time (/proc/<pid>/stat) are read before, once all N wait, and after holding them.
// Two stubs, for the two states a waiting tunnel can be in:
//   unanswered  the stub accepts the TCP connection and reads the CONNECT but never answers: Envoy's request is
//               sent and waits for response headers (cluster upstream_rq_active; bounded by maxRequests).
//   unaccepted  the stub listens with a backlog of 1 and never accepts, so the kernel drops further SYNs and
//               Envoy's connection to the proxy never completes: the request waits for a connection
//               (upstream_rq_pending_active; bounded by maxPendingRequests). This is the state a burst
//               fills while the proxy is slow to accept (bench/burst.ts).
//   npm run bench -- pending
//   BENCH_PENDING=0,500,1000,2000 npm run bench -- pending (the default)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { loadavg } from "node:os";
import { startEnvoy, type RunningEnvoy } from "../tools/src/local/envoy.ts";
import { cpuSeconds } from "../tools/src/local/lab/index.ts";
import { waitHealthy } from "../tools/src/local/pod/pod.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";
import { envoyConcurrency } from "../tools/src/plan/concurrency.ts";
import { planEnvoy } from "../tools/src/plan/envoy.ts";
import { loadValues } from "../tools/src/values/load.ts";
import { validateValues } from "../tools/src/values/validate.ts";
import { figure, rerunCommand, type Figure, type Section } from "./lib/results.ts";

const COUNTS = (process.env.BENCH_PENDING ?? "0,500,1000,2000").split(",").map(Number);
const TAILNET = "pending";
const HOLD_MS = 5_000;
const WAIT_MS = 30_000;
const LOOPBACK = "127.0.0.1";

type Mode = "unanswered" | "unaccepted";

interface Sample {
  mode: Mode;
  n: number;
  /** Requests Envoy counted in the state the mode aims at, once all were opened. */
  waiting: number;
  rssKiB: number;
  openCpuS: number;
  holdCpuS: number;
}

const rssKiB = (pid: number): number =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A loopback server that accepts, reads and never writes (the "unanswered" proxy). */
async function silentProxy(): Promise<{ port: number; close(): void }> {
  const socks = new Set<net.Socket>();
  const server = net.createServer((s) => {
    socks.add(s);
    s.on("error", () => s.destroy());
    s.on("close", () => socks.delete(s));
    s.resume();
  });
  await new Promise<void>((r) => server.listen({ host: LOOPBACK, port: 0 }, () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of socks) s.destroy();
      server.close();
    },
  };
}

/**
 * A loopback port with a listen backlog of 1 that is never accepted (the "unaccepted" proxy). Node's servers
 * always accept, so a child Python (which the toolchain's Envoy wheel already needs) holds the socket.
 */
async function deafProxy(): Promise<{ port: number; close(): void }> {
  const code =
    "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(1)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(3600)";
  const child = spawn("python3", ["-c", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return { port, close: () => child.kill("SIGKILL") };
}

async function healthz(): Promise<{ port: number; close(): void }> {
  const server = http.createServer((_req, res) => res.end("ok"));
  await new Promise<void>((r) => server.listen({ host: LOOPBACK, port: 0 }, () => r()));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

async function measure(
  files: ReturnType<typeof planEnvoy>["files"],
  ports: { proxy: number; local: number; listen: number; cluster: string },
  workers: number,
  mode: Mode,
  n: number,
): Promise<Sample> {
  const proxy = mode === "unanswered" ? await silentProxy() : await deafProxy();
  const health = await healthz();
  let envoy: RunningEnvoy | undefined;
  const clients: net.Socket[] = [];
  try {
    envoy = await startEnvoy(files, {
      extraPorts: new Map([
        [ports.proxy, proxy.port],
        [ports.local, health.port],
      ]),
      concurrency: workers,
    });
    await waitHealthy(envoy, envoy.files, 30_000);
    const e = envoy;
    const gauge = `cluster.${ports.cluster}.${mode === "unanswered" ? "upstream_rq_active" : "upstream_rq_pending_active"}`;
    const waiting = async (): Promise<number> => (await e.stats(`^${gauge.replace(/[.-]/g, "\\$&")}$`))[gauge] ?? 0;
    await sleep(1_000);
    const rss0 = rssKiB(e.pid);
    const cpu0 = cpuSeconds(e.pid);
    const port = e.ports.get(ports.listen)!;
    for (let i = 0; i < n; i++) {
      const s = net.connect({ host: LOOPBACK, port });
      s.on("error", () => s.destroy());
      clients.push(s);
    }
    // The deaf proxy completes one or two handshakes (its backlog) before it drops SYNs.
    const want = mode === "unanswered" ? n : Math.max(0, n - 2);
    const deadline = Date.now() + WAIT_MS;
    let w = await waiting();
    while (w < want && Date.now() < deadline) {
      await sleep(200);
      w = await waiting();
    }
    await sleep(1_000);
    const rss1 = rssKiB(e.pid);
    const cpu1 = cpuSeconds(e.pid);
    await sleep(HOLD_MS);
    const cpu2 = cpuSeconds(e.pid);
    const sample = { mode, n, waiting: w, rssKiB: rss1 - rss0, openCpuS: cpu1 - cpu0, holdCpuS: cpu2 - cpu1 };
    console.error(
      `pending ${mode} ${n}: waiting ${w}, RSS +${(sample.rssKiB / 1024).toFixed(1)} MiB, open CPU ${sample.openCpuS.toFixed(2)} s, hold CPU ${sample.holdCpuS.toFixed(2)} s in ${HOLD_MS / 1000} s`,
    );
    return sample;
  } finally {
    for (const s of clients) s.destroy();
    await envoy?.stop();
    proxy.close();
    health.close();
  }
}

export async function run(): Promise<Section> {
  const load0 = loadavg();
  const max = Math.max(...COUNTS, 1);
  // Limits above the largest N, and a connect timeout longer than the wait, so nothing is refused or timed out.
  const doc = {
    tailnets: [
      {
        name: TAILNET,
        authKey: "tskey-auth-bench",
        services: [{ name: "svc", host: "100.64.0.9", port: 443, connectTimeout: "120s" }],
      },
    ],
    envoy: {
      circuitBreakers: { maxPendingRequests: 4 * max, maxRequests: 4 * max, maxConnections: 4 * max },
      healthCheck: { interval: "1s" },
      // The stub proxies never answer a CONNECT, so a target check would keep the service down: the service
      // follows the tailnet's /healthz stub instead, as before target checks.
      targetCheck: { enabled: false },
    },
  };
  const checked = validateValues(await loadValues([tmpValues(doc)]), "tailscale-egress");
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const values = checked.values;
  const plan = planEnvoy(values, "tailscale-egress");
  const tn = plan.ports.tailnets[0]!;
  const svc = plan.ports.services[0]!;
  const ports = { proxy: tn.proxyPort, local: tn.localPort, listen: svc.listenPort, cluster: svc.cluster };
  const workers = envoyConcurrency(values);
  const samples: Sample[] = [];
  for (const mode of ["unanswered", "unaccepted"] as const)
    for (const n of COUNTS) samples.push(await measure(plan.files, ports, workers, mode, n));
  const load1 = loadavg();

  const figures: Figure[] = [];
  const bufferKiB = values.envoy.bufferLimitBytes / 1024;
  for (const mode of ["unanswered", "unaccepted"] as const) {
    const top = samples.filter((s) => s.mode === mode && s.n > 0).at(-1);
    if (!top) continue;
    const what = mode === "unanswered" ? "unanswered CONNECT" : "CONNECT waiting for its connection";
    figures.push(
      figure(
        `Envoy memory per ${what}, ${top.n} waiting`,
        top.rssKiB / top.n,
        "KiB",
        bufferKiB,
        "envoy.bufferLimitBytes (KiB)",
      ),
      figure(
        `Envoy CPU to open one ${what}, ${top.n} waiting`,
        (top.openCpuS * 1000) / top.n,
        "ms",
        1,
        "reference 1 ms",
      ),
      figure(`Envoy CPU while ${top.n} wait (${mode})`, top.holdCpuS / (HOLD_MS / 1000), "CPU s/s", 1, "one core"),
    );
  }
  const notes = [
    `Setup: the chart's Envoy files (planEnvoy; default values with one service, connectTimeout 120s and circuit breakers at ${4 * max} so nothing is refused), --concurrency ${workers}, a fresh Envoy for each N. The tailnet's proxy is a loopback stub: "unanswered" accepts and reads the CONNECT but never answers (the request is sent and waits for headers: upstream_rq_active, bounded by maxRequests); "unaccepted" listens with a backlog of 1 and never accepts, so the connection to the proxy never completes (upstream_rq_pending_active, bounded by maxPendingRequests). N client connections opened at once and held ${HOLD_MS / 1000} s. Memory is VmRSS after all N wait minus before (the allocator keeps freed memory, hence a fresh Envoy each time).`,
    "Per N (mode N: requests counted waiting, RSS growth, CPU to open all, CPU while held " +
      `${HOLD_MS / 1000} s): ` +
      samples
        .map(
          (s) =>
            `${s.mode} ${s.n}: ${s.waiting}, ${(s.rssKiB / 1024).toFixed(1)} MiB, ${s.openCpuS.toFixed(2)} s, ${s.holdCpuS.toFixed(2)} s`,
        )
        .join("; ") +
      ".",
    `Load average (1/5/15 min) before: ${load0.map((x) => x.toFixed(2)).join("/")}, after: ${load1.map((x) => x.toFixed(2)).join("/")}.`,
  ];
  return { title: "Pending CONNECTs", command: rerunCommand("pending", ["BENCH_PENDING"]), figures, notes };
}
