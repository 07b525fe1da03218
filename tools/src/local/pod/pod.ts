// Runs the pod of the rendered manifests on this machine: Envoy with the ConfigMap's files (kubelet-style
// atomic mount, hot reload by swapping `..data`), and per tailnet the real containerboot with that
// container's env and command, in a container-like sandbox, as the securityContext's uid. The pod shares the
// host network; see README.md next to this file for why, and what is remapped (only ports and paths, in
// remapForLocalRun and remapPodForLocalRun). Shared by the e2e tests and `npm start`.
import { spawn } from "node:child_process";
import { envoyFiles, type Manifest } from "../../helm/manifests.ts";
import type { Json, JsonObject } from "../../lib/json.ts";
import { BOOTSTRAP_FILE } from "../../plan/envoy.ts";
import { freePorts, startEnvoy, type RunningEnvoy } from "../envoy.ts";
import type { EnvoyFiles } from "../envoy-remap.ts";
import { systemTool } from "../lab/bins.ts";
import { onCleanup } from "../lab/cleanup.ts";
import { setprivUserArgs } from "../lab/procs.ts";
import { startContainerboot, type Containerboot } from "../lab/containerboot.ts";
import type { PodKubeAccess } from "../kube/access.ts";
import { readPod, remapPodForLocalRun, type LocalPod, type PreStop, type Probe, type ReadPodOptions } from "./spec.ts";

export interface PodRunOptions extends ReadPodOptions {
  /** "free": every port of the pod gets a free loopback port (tests); "real": the chart's ports (npm start). */
  ports: "free" | "real";
  /**
   * Envoy clusters whose checks are not waited for at start (services whose targets are unreachable on purpose:
   * their target check never passes). Every other checked cluster must be healthy before startPod resolves.
   */
  expectDown?: readonly string[];
  /** The "pod IP": what Envoy's 0.0.0.0 listeners bind and where probes go (kubelet probes the pod IP). */
  podIP?: string;
  /** The lab's loopback-only tailscaled env (true) or a real tailnet (false). */
  labNetwork?: boolean;
  /** Envoy --drain-time-s (default 1). */
  drainTimeS?: number;
  /** Envoy log level override (default: the container's --log-level). */
  envoyLogLevel?: string;
  /** Envoy --concurrency (default: the container's rendered --concurrency). */
  envoyConcurrency?: number;
  /** The API that containers keeping state in Secrets use (tools/src/local/kube/access.ts podKubeAccess).
   * Without it, such a container keeps its state in its /var/run volume instead (see localState). */
  kube?: PodKubeAccess;
}

export interface ProbeResult {
  ok: boolean;
  status: number;
  error?: string;
}

export interface RunningPod {
  /** The pod as rendered, and as run (after remapPodForLocalRun). */
  rendered: LocalPod;
  local: LocalPod;
  podIP: string;
  envoy: RunningEnvoy;
  kube: PodKubeAccess | undefined;
  tailscale: ReadonlyMap<string, Containerboot>;
  /** Rendered port -> local port. */
  ports: ReadonlyMap<number, number>;
  port(rendered: number): number;
  /** kubelet's ConfigMap update with the Envoy files of new manifests; returns the files as written. */
  reload(manifests: Manifest[], raw?: Record<string, string>): Promise<EnvoyFiles>;
  /** Runs one probe of a container ("envoy" or "ts-<tailnet>") once, as kubelet would. */
  probe(container: string, kind: Probe["kind"]): Promise<ProbeResult>;
  /** Runs a container's preStop hook to completion, as kubelet would. */
  preStop(container: string): Promise<void>;
  /** Pod deletion: every container's preStop, then SIGTERM to that container, in parallel. */
  terminate(): Promise<Record<string, { preStopDoneMs: number; exitedMs: number }>>;
  stop(): Promise<void>;
}

const portsIn = (node: Json, key?: string, parent?: string, out = new Set<number>()): Set<number> => {
  if (Array.isArray(node)) for (const v of node) portsIn(v, undefined, key, out);
  else if (node !== null && typeof node === "object")
    for (const [k, v] of Object.entries(node)) portsIn(v, k, key, out);
  else if (
    key === "port_value" &&
    (parent === "socket_address" || parent === "health_check_config") &&
    typeof node === "number"
  )
    out.add(node);
  return out;
};

/** Every port the pod's processes bind or dial on its loopback, as rendered. */
function podPorts(pod: LocalPod): number[] {
  const all = new Set<number>();
  for (const doc of Object.values(pod.envoy.files)) portsIn(doc, undefined, undefined, all);
  for (const c of pod.tailscale)
    for (const v of [c.env.TS_OUTBOUND_HTTP_PROXY_LISTEN, c.env.TS_LOCAL_ADDR_PORT])
      if (v) all.add(Number(v.split(":").pop()));
  for (const c of [pod.envoy, ...pod.tailscale]) for (const p of c.probes) all.add(p.port);
  return [...all].sort((a, b) => a - b);
}

async function allocate(ports: "free" | "real", wanted: number[], map: Map<number, number>): Promise<void> {
  const missing = wanted.filter((p) => !map.has(p));
  const local = ports === "real" ? missing : await freePorts(missing.length);
  for (const [i, p] of missing.entries()) map.set(p, local[i]!);
}

/** A container that keeps its state in a Secret, run where there is no cluster (npm start): it keeps the
 * state in its TS_STATE_DIR instead, which is on the container's /var/run volume and so survives a
 * container restart, as the Secret would. */
function localState(name: string, env: Readonly<Record<string, string>>): Record<string, string> {
  console.error(
    `${name}: no Kubernetes API here; node state is kept in ${env.TS_STATE_DIR ?? "the state dir"} instead of Secret ${env.TS_KUBE_SECRET}`,
  );
  return { ...env, TS_KUBE_SECRET: "" };
}

/** One HTTP GET as kubelet's httpGet probe or hook does it: success is 200..399. */
export async function httpGet(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const r = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return { ok: r.status >= 200 && r.status < 400, status: r.status };
  } catch (e) {
    return { ok: false, status: 0, error: (e as Error).message };
  }
}

/** An exec hook, run as the container's user (it shares the pod's network, which is the host's here). */
function execHook(
  command: string[],
  runAs: { uid: number; gid: number } | undefined,
  timeoutMs: number,
): Promise<void> {
  const user = runAs ? setprivUserArgs(runAs) : ["--"];
  return new Promise((resolve, reject) => {
    const child = spawn(systemTool("setpriv"), ["--pdeathsig", "SIGKILL", ...user, ...command], {
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once(
      "exit",
      (code) => (
        clearTimeout(timer),
        code === 0 ? resolve() : reject(new Error(`preStop ${JSON.stringify(command)} exited ${code}`))
      ),
    );
  });
}

export async function startPod(manifests: Manifest[], opts: PodRunOptions): Promise<RunningPod> {
  const rendered = readPod(manifests, opts);
  const podIP = opts.podIP ?? "127.0.0.1";
  const ports = new Map<number, number>();
  await allocate(opts.ports, podPorts(rendered), ports);
  const local = remapPodForLocalRun(rendered, { ports });

  const kube = opts.kube;
  const tailscale = new Map<string, Containerboot>();
  let envoy: RunningEnvoy | undefined;
  const handle = onCleanup("pod", async () => {
    await envoy?.stop();
    await Promise.all([...tailscale.values()].map((c) => (c.proc().running() ? c.stop(5000) : undefined)));
  });
  const stop = async (): Promise<void> => {
    await envoy?.stop();
    await Promise.all([...tailscale.values()].map((c) => (c.proc().running() ? c.stop(5000) : undefined)));
    handle.release();
  };
  try {
    const [env] = await Promise.all([
      startEnvoy(rendered.envoy.files, {
        ports,
        wildcardTo: podIP,
        containerArgs: rendered.envoy.args,
        ...(rendered.envoy.runAs ? { runAs: rendered.envoy.runAs } : {}),
        ...(opts.drainTimeS === undefined ? {} : { drainTimeS: opts.drainTimeS }),
        ...(opts.envoyLogLevel === undefined ? {} : { logLevel: opts.envoyLogLevel }),
        ...(opts.envoyConcurrency === undefined ? {} : { concurrency: opts.envoyConcurrency }),
      }).then((e) => (envoy = e)),
      ...local.tailscale.map(async (c) => {
        const cb = await startContainerboot({
          name: c.name,
          env: c.kubeApi && !kube ? localState(c.name, c.env) : c.env,
          ...(c.kubeApi && kube ? { kube } : {}),
          volumes: c.mounts,
          ...(c.command ? { command: c.command } : {}),
          ...(c.runAs ? { runAs: c.runAs } : {}),
          labNetwork: opts.labNetwork ?? true,
        });
        tailscale.set(c.tailnet, cb);
      }),
    ]);
    envoy = env;
  } catch (e) {
    await stop();
    throw e;
  }
  const theEnvoy = envoy;
  try {
    const down = new Set(opts.expectDown ?? []);
    const wanted = checkedClusters(local.envoy.files).filter((c) => !down.has(c));
    await waitHealthy(theEnvoy, local.envoy.files, 120_000, wanted);
  } catch (e) {
    await stop();
    throw e;
  }

  const container = (
    name: string,
  ): { probes: Probe[]; preStop: PreStop; runAs: { uid: number; gid: number } | undefined } => {
    if (name === "envoy") return local.envoy;
    const c = local.tailscale.find((t) => t.name === name);
    if (!c) throw new Error(`no container ${name}`);
    return c;
  };
  const preStop = async (name: string): Promise<void> => {
    const c = container(name);
    const grace = local.terminationGracePeriodSeconds * 1000;
    if ("exec" in c.preStop) await execHook(c.preStop.exec, c.runAs, grace);
    else await httpGet(podIP, c.preStop.httpGet.port, c.preStop.httpGet.path, grace);
  };

  return {
    rendered,
    local,
    podIP,
    envoy: theEnvoy,
    kube,
    tailscale,
    ports,
    port: (p) => ports.get(p) ?? p,
    reload: async (next, raw) => {
      const files = envoyFiles(next);
      const before = new Set(ports.keys());
      const wanted = [...Object.values(files)].flatMap((d) => [...portsIn(d)]);
      await allocate(opts.ports, wanted, ports);
      const more = new Map([...ports].filter(([k]) => !before.has(k)));
      return theEnvoy.swap(files, { morePorts: more, ...(raw ? { raw } : {}) });
    },
    probe: async (name, kind) => {
      const p = container(name).probes.find((x) => x.kind === kind);
      if (!p) throw new Error(`${name} has no ${kind} probe`);
      return httpGet(podIP, p.port, p.path, p.timeoutSeconds * 1000);
    },
    preStop,
    terminate: async () => {
      const t0 = Date.now();
      const grace = local.terminationGracePeriodSeconds * 1000;
      const names = ["envoy", ...local.tailscale.map((c) => c.name)];
      const timeline: Record<string, { preStopDoneMs: number; exitedMs: number }> = {};
      await Promise.all(
        names.map(async (name) => {
          await preStop(name).catch(() => undefined); // kubelet logs a failed hook and goes on
          const preStopDoneMs = Date.now() - t0;
          const left = Math.max(2000, grace - preStopDoneMs);
          if (name === "envoy") await theEnvoy.terminate(left);
          else await tailscale.get(name.slice(3))?.stop(left);
          timeline[name] = { preStopDoneMs, exitedMs: Date.now() - t0 };
        }),
      );
      return timeline;
    },
    stop,
  };
}

/** Names of the clusters that Envoy health-checks (the tailnets' data and health clusters). */
export function checkedClusters(files: EnvoyFiles): string[] {
  return Object.values(files)
    .flatMap((d) => (d.resources ?? []) as JsonObject[])
    .filter((r) => Array.isArray(r.health_checks))
    .map((r) => r.name as string);
}

/** A tailnet's checked clusters: health-<tailnet> and its services' <tailnet>_<service>. */
export function tailnetClusters(files: EnvoyFiles, tailnet: string): string[] {
  return checkedClusters(files).filter((c) => c === `health-${tailnet}` || c.startsWith(`${tailnet}_`));
}

/** Waits until Envoy's health checks mark every checked cluster's endpoint healthy. */
export async function waitHealthy(
  envoy: RunningEnvoy,
  files: EnvoyFiles,
  timeoutMs: number,
  clusters = checkedClusters(files),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await envoy.stats("membership_healthy$");
    const sick = clusters.filter((c) => (s[`cluster.${c}.membership_healthy`] ?? 0) < 1);
    if (sick.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`Envoy health checks still fail for ${sick.join(", ")} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The rendered Envoy admin port (bootstrap admin address). */
export function adminPortOf(files: EnvoyFiles): number {
  const admin = files[BOOTSTRAP_FILE]?.admin as JsonObject | undefined;
  if (!admin) throw new Error("the Envoy bootstrap has no admin address");
  return ((admin.address as JsonObject).socket_address as JsonObject).port_value as number;
}
