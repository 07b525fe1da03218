// The host side of a local cluster: `up` makes its network namespace and starts the supervisor inside it
// (supervisor.ts), `exec` runs a command in that namespace with KUBECONFIG set, and `down` stops everything
// by PID and removes the namespace, the cgroups and the state directory. Only the namespace, the cgroups
// and the state directory are ever touched on the host; no address outside the namespace is used.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { repoPath } from "../../lib/paths.ts";
import { TOOLS_DIR } from "../../lib/toolpaths.ts";
import { systemTool } from "../lab/bins.ts";
import { logTail, runCommand, waitFor } from "../lab/procs.ts";
import { alive, cmdline, mountNamespace, pids } from "../proc.ts";
import { cgroupTops, clustersRoot, layout, NAME_RE, NODE_IP, SERVICE_CIDR, type Layout } from "./layout.ts";
import { livingSupervisor, readState, writeSupervisorPid, type ClusterState } from "./state.ts";
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

export async function clusterUp(o: UpOptions = {}): Promise<Cluster> {
  const l = layout(o.name ?? DEFAULT_CLUSTER);
  requireClusterTools(o.demo ?? false);
  if (livingSupervisor(l) !== undefined) {
    throw new Error(`local cluster "${l.name}" is already up; stop it first: npx tailnet-egress cluster down`);
  }
  await clusterDown(l.name); // whatever a killed run left behind
  await sweepStale();
  fs.mkdirSync(l.dir, { recursive: true, mode: 0o700 });
  makeNetns(l);
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
  writeSupervisorPid(l, child.pid);
  child.unref();
  const supervisorLog = () => logTail(fs.readFileSync(l.supervisorLog, "utf8"), 30);
  try {
    const state = await waitFor(
      `local cluster "${l.name}" ready`,
      o.timeoutMs ?? 600_000,
      async () => {
        if (livingSupervisor(l) === undefined) throw new Error(`the cluster supervisor exited:\n${supervisorLog()}`);
        const s = readState(l);
        return s?.pid === child.pid ? s : undefined;
      },
      250,
    );
    return attach(l, state);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    await clusterDown(l.name);
    throw new Error(`${msg}\n--- ${l.supervisorLog} ---\n${supervisorLog()}`);
  }
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

/** Every cgroup directory of the cluster, deepest first. */
function cgroupDirs(l: Layout): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    out.push(d);
  };
  for (const t of cgroupTops(l)) if (fs.existsSync(t)) walk(t);
  return out;
}

function killTree(l: Layout, mountNs: string | undefined): void {
  for (const d of cgroupDirs(l)) {
    for (const p of fs.readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
      try {
        process.kill(Number(p), "SIGKILL");
      } catch {
        // gone
      }
    }
  }
  // containerd's shims leave the supervisor's process tree and cgroup; they live on in its mount namespace,
  // and (should the supervisor be gone already) name the cluster's containerd socket, under its directory.
  for (const p of pids()) {
    const ours =
      (mountNs !== undefined && mountNamespace(p) === mountNs) ||
      (cmdline(p)?.some((arg) => arg.includes(`${l.dir}/`)) ?? false);
    if (ours && p !== process.pid) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // gone
      }
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

/** Stops the cluster: the supervisor (which stops its children), then anything left, then the namespace. */
export async function clusterDown(name = DEFAULT_CLUSTER): Promise<void> {
  const l = layout(name);
  const pid = livingSupervisor(l);
  let mountNs: string | undefined;
  if (pid !== undefined) {
    mountNs = mountNamespace(pid); // undefined if it just exited
    process.kill(pid, "SIGTERM");
    if (!(await gone(pid, 60_000))) process.kill(pid, "SIGKILL");
  }
  // Pods (in the cluster's cgroups) and containerd's shims (in the supervisor's mount namespace).
  for (let i = 0; i < 5; i++) {
    killTree(l, mountNs);
    await new Promise((r) => setTimeout(r, 200));
    for (const d of cgroupDirs(l)) {
      try {
        fs.rmdirSync(d);
      } catch {
        // still busy: next round
      }
    }
    if (cgroupDirs(l).length === 0) break;
  }
  if (netnsExists(l.netns)) ip(["netns", "del", l.netns]);
  fs.rmSync(l.dir, { recursive: true, force: true });
}
