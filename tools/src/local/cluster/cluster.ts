// The host side of a local cluster: `up` makes its network namespace and starts the supervisor inside it
// (supervisor.ts), `exec` runs a command in that namespace with KUBECONFIG set, and `down` stops what is proven
// to be the cluster's (ownership.ts) by PID and removes the namespace, the cgroups and the state directory.
// Only the namespace, the cgroups and the state directory are ever touched on the host; no address outside
// the namespace is used.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../../lib/input.ts";
import { repoPath } from "../../lib/paths.ts";
import { TOOLS_DIR } from "../../lib/toolpaths.ts";
import { systemTool } from "../lab/bins.ts";
import { logTail, runCommand, StopWaiting, waitFor } from "../lab/procs.ts";
import { alive, procStat } from "../proc.ts";
import { clustersRoot, layout, NAME_RE, NODE_IP, SERVICE_CIDR, type Layout } from "./layout.ts";
import { cgroupDirs, clusterProcesses, livingSupervisor, writeSupervisorPid } from "./ownership.ts";
import { readState, type ClusterState } from "./state.ts";
import { requireClusterTools } from "./tools.ts";

export const DEFAULT_CLUSTER = "local";

export interface UpOptions {
  name?: string;
  demo?: boolean;
  /** kubelet syncFrequency, e.g. "5s"; default the kubelet's own (1m). */
  syncFrequency?: string;
  timeoutMs?: number;
}

export interface Cluster extends ClusterState {
  layout: Layout;
  /** Runs a command in the cluster's network namespace with KUBECONFIG set; throws on failure. */
  exec(
    argv: readonly string[],
    o?: { input?: string; timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string }>;
  kubectl(args: readonly string[], o?: { input?: string; timeoutMs?: number }): Promise<string>;
  down(): Promise<void>;
}

function ip(args: readonly string[]): string {
  return execFileSync(systemTool("ip"), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function netnsExists(ns: string): boolean {
  return fs.existsSync(`/run/netns/${ns}`);
}

function makeNetns(l: Layout): void {
  const [a, b] = l.veth;
  ip(["netns", "add", l.netns]);
  const n = (...args: string[]) => ip(["-n", l.netns, ...args]);
  n("link", "set", "lo", "up");
  // The node IP sits on a veth pair whose two ends both stay in the namespace: no link to the host.
  n("link", "add", a, "type", "veth", "peer", "name", b);
  n("addr", "add", `${NODE_IP}/24`, "dev", a);
  n("link", "set", b, "up");
  n("link", "set", a, "up");
  // The node itself reaches ClusterIPs through kube-proxy's DNAT in OUTPUT, which needs a route.
  n("route", "add", SERVICE_CIDR, "dev", a, "src", NODE_IP);
  execFileSync(systemTool("ip"), ["netns", "exec", l.netns, systemTool("sysctl"), "-qw", "net.ipv4.ip_forward=1"]);
}

/** PATH inside `exec`: `helm` (Helm 3; helm3 and helm4 by name), kubectl and the rest of the toolchain. */
function execPath(l: Layout): string {
  const bin = path.join(l.dir, "bin");
  if (!fs.existsSync(path.join(bin, "helm"))) {
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(path.join(TOOLS_DIR, "bin", "helm3"), path.join(bin, "helm"));
  }
  return [bin, path.join(TOOLS_DIR, "bin"), process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"].join(":");
}

export function execEnv(l: Layout): Record<string, string> {
  return { KUBECONFIG: l.kubeconfig, PATH: execPath(l) };
}

/** nsenter's arguments that put a command into the cluster's network namespace. */
export function nsenterArgs(pid: number): string[] {
  return ["-t", String(pid), "-n", "--"];
}

function attach(l: Layout, state: ClusterState): Cluster {
  const exec: Cluster["exec"] = (argv, o = {}) =>
    runCommand(systemTool("nsenter"), [...nsenterArgs(state.pid), ...argv], {
      env: execEnv(l),
      timeoutMs: o.timeoutMs ?? 120_000,
      ...(o.input === undefined ? {} : { input: o.input }),
    });
  return {
    ...state,
    layout: l,
    exec,
    kubectl: async (args, o) => (await exec(["kubectl", ...args], o)).stdout,
    down: () => clusterDown(l.name),
  };
}

/** The running cluster of that name, or an error saying how to start it. */
export function clusterOf(name = DEFAULT_CLUSTER): Cluster {
  const l = layout(name);
  const state = readState(l);
  if (!state || livingSupervisor(l) !== state.pid) {
    throw new Error(`no local cluster "${name}" is running; start one with: npx tailnet-egress cluster up`);
  }
  return attach(l, state);
}

/** `up` did not get a cluster (stopped by `down`, its supervisor exited, or it timed out); nothing is left. */
export class ClusterUpError extends Error {}

export async function clusterUp(o: UpOptions = {}): Promise<Cluster> {
  const l = layout(o.name ?? DEFAULT_CLUSTER);
  if (o.syncFrequency !== undefined) checkDuration("--sync-frequency", o.syncFrequency);
  requireClusterTools(o.demo ?? false);
  if (livingSupervisor(l) !== undefined) {
    throw new Error(`local cluster "${l.name}" is already up; stop it first: npx tailnet-egress cluster down`);
  }
  await clusterDown(l.name); // whatever a killed run left behind
  await sweepStale();
  fs.mkdirSync(l.dir, { recursive: true, mode: 0o700 });
  let child: ChildProcess | undefined;
  try {
    makeNetns(l);
    const supervisor = spawnSupervisor(l, o);
    child = supervisor;
    const pid = supervisor.pid;
    writeSupervisorPid(l, pid); // may fail (a `down` removed the directory): the catch stops the child
    const state = await waitFor(
      `local cluster "${l.name}" ready`,
      o.timeoutMs ?? 600_000,
      async () => {
        // Our own child's exit, not livingSupervisor(): until nsenter and unshare have exec'd node, the PID's
        // command line is not yet `... supervise <name>`, and on a loaded machine the first poll can see that.
        // Read before the down file: `down` writes that file before it stops the supervisor.
        const exited = supervisor.exitCode !== null || supervisor.signalCode !== null;
        if (downRequested(l)) throw new StopWaiting(`local cluster "${l.name}": stopped by cluster down`);
        if (exited) {
          throw new StopWaiting(
            `local cluster "${l.name}": its supervisor exited; the end of ${l.supervisorLog}:\n${supervisorLog(l)}`,
          );
        }
        const s = readState(l);
        return s?.pid === pid ? s : undefined;
      },
      250,
    );
    return attach(l, state);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const why =
      err instanceof StopWaiting
        ? msg
        : downRequested(l)
          ? `local cluster "${l.name}": stopped by cluster down (${msg})`
          : `${msg}\n--- ${l.supervisorLog} ---\n${supervisorLog(l)}`;
    // Our own child first, by its PID (it may not have recorded its namespace yet), then whatever it left. A
    // short grace: nothing of this cluster is to be kept, and the sweep after it stops what the child left.
    if (child) await stopChild(child, 1_000);
    await clusterDown(l.name);
    throw new ClusterUpError(why);
  }
}

/** A Go duration as the kubelet's config takes it, e.g. 5s, 1m, 1m30s. */
function checkDuration(flag: string, v: string): void {
  if (!/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/.test(v)) {
    throw new InputError(`${flag} "${v}": use a duration such as 5s, 500ms, 1m or 1m30s`);
  }
}

/** Starts the supervisor in the cluster's network namespace and a new mount namespace. */
function spawnSupervisor(l: Layout, o: UpOptions): ChildProcess & { pid: number } {
  const log = fs.openSync(l.supervisorLog, "a");
  const args = [repoPath("bin", "tailnet-egress.js"), "cluster", "supervise", l.name];
  if (o.demo) args.push("--demo");
  if (o.syncFrequency) args.push("--sync-frequency", o.syncFrequency);
  const child = spawn(
    systemTool("nsenter"),
    [
      `--net=/run/netns/${l.netns}`,
      "--",
      systemTool("unshare"),
      "--mount",
      "--propagation",
      "slave",
      "--",
      process.execPath,
      ...args,
    ],
    {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, TAILNET_EGRESS_CLUSTER_DIR: path.dirname(l.dir) },
    },
  );
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error("could not start the cluster supervisor");
  child.unref();
  return child as ChildProcess & { pid: number };
}

function supervisorLog(l: Layout): string {
  try {
    return logTail(fs.readFileSync(l.supervisorLog, "utf8"), 30);
  } catch {
    return "(no log: the cluster's directory is gone)";
  }
}

/** Written by `down` before it stops anything, so a starting `up` knows why its supervisor is gone. */
const downFile = (l: Layout): string => path.join(l.dir, "down-requested");
const downRequested = (l: Layout): boolean => !fs.existsSync(l.dir) || fs.existsSync(downFile(l));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops a child process of ours by its PID: SIGTERM, then SIGKILL after graceMs; waits for it to exit. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  const exited = new Promise((r) => child.once("exit", r));
  // spawnSupervisor unref'd the child: without this, once the SIGKILL timer has fired nothing keeps the event
  // loop alive until the exit arrives, and node ends with exit code 13 (an unsettled top-level await).
  child.ref();
  child.kill("SIGTERM");
  const timer = setTimeout(() => running() && child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops the supervisor by its PID only: SIGTERM (it stops its components), SIGKILL after graceMs, and waits
 * until it has exited. Every signal goes to that same process (PID and start time). */
async function stopSupervisor(pid: number, graceMs: number): Promise<void> {
  const started = procStat(pid)?.startTime;
  const same = (): boolean => alive(pid) && procStat(pid)?.startTime === started;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (same()) process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  };
  signal("SIGTERM");
  for (const deadline = Date.now() + graceMs; same() && Date.now() < deadline; ) await sleep(100);
  signal("SIGKILL");
  for (const deadline = Date.now() + 30_000; same(); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`the cluster supervisor (pid ${pid}) did not exit after SIGKILL`);
  }
}

function killAll(found: readonly number[]): void {
  for (const p of found) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/** How long a cluster directory may exist without a living supervisor before `up` treats it as left behind
 * (a cluster that another process is starting writes its supervisor's PID within a second). */
const STALE_AFTER_MS = 120_000;

/** Removes every cluster whose supervisor is gone (a run that was killed before its `down`). */
export async function sweepStale(): Promise<void> {
  const root = clustersRoot();
  if (!fs.existsSync(root)) return;
  for (const name of fs.readdirSync(root)) {
    if (!NAME_RE.test(name)) continue;
    const l = layout(name);
    const age = Date.now() - fs.statSync(l.dir).mtimeMs;
    if (age > STALE_AFTER_MS && livingSupervisor(l) === undefined) await clusterDown(name);
  }
}

/**
 * Stops the cluster and removes it: the supervisor by its PID (it stops its components), then every process
 * proven to be the cluster's (ownership.ts: its cgroups, its own mount namespace), the cgroups, the network
 * namespace and the state directory. Safe to repeat, and to run while `up` is still starting the cluster.
 */
export async function clusterDown(name = DEFAULT_CLUSTER): Promise<void> {
  const l = layout(name);
  try {
    fs.writeFileSync(downFile(l), `${process.pid}\n`);
  } catch {
    // no directory: nothing started, or another `down` removed it
  }
  const pid = livingSupervisor(l);
  if (pid !== undefined) await stopSupervisor(pid, 60_000);
  // Pods (in the cluster's cgroups) and containerd's shims (in the supervisor's mount namespace).
  for (let i = 0; i < 10; i++) {
    killAll(clusterProcesses(l));
    await sleep(200);
    for (const d of cgroupDirs(l)) {
      try {
        fs.rmdirSync(d);
      } catch {
        // still busy: next round
      }
    }
    if (cgroupDirs(l).length === 0 && clusterProcesses(l).length === 0) break;
  }
  try {
    if (netnsExists(l.netns)) ip(["netns", "del", l.netns]);
  } catch (err) {
    if (netnsExists(l.netns)) throw err; // else another `down` removed it first
  }
  fs.rmSync(l.dir, { recursive: true, force: true, maxRetries: 3 });
}
