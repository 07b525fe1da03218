// Which processes are a local cluster's, proven before anything is stopped. `cluster down` and the sweep stop
// only these:
// - the supervisor, by the PID (and start time) that `up` recorded when it spawned it, and only while its
//   command line is still `... cluster supervise <name>`;
// - members of the cluster's own cgroups (tse-<name>, made by the supervisor: the pods);
// - members of the supervisor's private mount namespace (containerd's shims outlive the supervisor there):
//   processes whose mount namespace differs from the host's (PID 1's) and from the caller's and that see, at a path of
//   their own file system, the random token the supervisor wrote on a tmpfs that only its namespace (and
//   namespaces copied from it) mounts. A supervisor that has not yet recorded its namespace (it is spawned in
//   the host's and enters its own through `unshare`) has none: it is stopped by its PID alone.
// A command line naming the cluster's directory proves nothing (`tail -f <dir>/supervisor.log` is the user's).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { alive, cmdline, comm, mountNamespace, pids, procStat } from "../proc.ts";
import { cgroupTops, type Layout } from "./layout.ts";

/** On the tmpfs the supervisor mounts over /run/containerd in its own mount namespace (supervisor.ts). */
export const NAMESPACE_TOKEN_FILE = "/run/containerd/tailnet-egress-cluster";

const pidFile = (l: Layout): string => path.join(l.dir, "supervisor.pid");
const namespaceFile = (l: Layout): string => path.join(l.dir, "supervisor.ns");

/** Records the supervisor that `up` has just spawned: its PID and start time (against PID reuse). */
export function writeSupervisorPid(l: Layout, pid: number): void {
  fs.writeFileSync(pidFile(l), `${pid} ${procStat(pid)?.startTime ?? ""}\n`);
}

/** The supervisor's PID if that process is still this cluster's supervisor (same start time, same command). */
export function livingSupervisor(l: Layout): number | undefined {
  let fields: string[];
  try {
    fields = fs.readFileSync(pidFile(l), "utf8").trim().split(" ");
  } catch {
    return undefined;
  }
  const pid = Number(fields[0]);
  const started = fields[1];
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return undefined;
  if (started && procStat(pid)?.startTime !== Number(started)) return undefined;
  const args = cmdline(pid) ?? [];
  const i = args.indexOf("supervise");
  return i > 0 && args[i + 1] === l.name ? pid : undefined;
}

interface NamespaceRecord {
  mnt: string;
  token: string;
}

/**
 * The host's mount namespace: PID 1's. Where PID 1's cannot be read (some VMs' init denies it, even to root),
 * the initial namespace stands in for it, read from the kernel's kthreadd (PID 2). Undefined when neither can.
 */
function hostMountNamespace(): string | undefined {
  return mountNamespace(1) ?? (comm(2) === "kthreadd" ? mountNamespace(2) : undefined);
}

/**
 * The mount namespaces that are never a cluster's: the host's and the caller's. Undefined when either cannot be
 * read: then no namespace is taken for the cluster's.
 */
function foreignNamespaces(): Set<string> | undefined {
  const host = hostMountNamespace();
  const self = mountNamespace(process.pid);
  return host === undefined || self === undefined ? undefined : new Set([host, self]);
}

/**
 * Run by the supervisor once it has its private mounts: writes a fresh token on its own tmpfs and records its
 * mount namespace and that token in the cluster's directory. Throws if it is still in the host's namespace.
 */
export function recordSupervisorNamespace(l: Layout): void {
  const mnt = mountNamespace(process.pid);
  const host = hostMountNamespace();
  if (mnt === undefined || host === undefined || mnt === host) {
    throw new Error(`the cluster supervisor is not in a mount namespace of its own (${mnt}; the host's: ${host})`);
  }
  const token = randomUUID();
  fs.writeFileSync(NAMESPACE_TOKEN_FILE, `${token}\n`, { mode: 0o600 });
  writeNamespaceRecord(l, mnt, token);
}

/** Records that mount namespace (e.g. `mnt:[4026532174]`) as the supervisor's, with its token. */
export function writeNamespaceRecord(l: Layout, mnt: string, token: string): void {
  const tmp = `${namespaceFile(l)}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ mnt, token } satisfies NamespaceRecord)}\n`);
  fs.renameSync(tmp, namespaceFile(l));
}

function readNamespaceRecord(l: Layout): NamespaceRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(namespaceFile(l), "utf8")) as Partial<NamespaceRecord>;
    return typeof r.mnt === "string" && typeof r.token === "string" && r.token !== ""
      ? (r as NamespaceRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Processes outside the host's and the caller's mount namespaces that see the supervisor's token. */
export function namespaceMembers(l: Layout): number[] {
  const rec = readNamespaceRecord(l);
  const foreign = foreignNamespaces();
  if (rec === undefined || foreign === undefined || foreign.has(rec.mnt)) return [];
  const seesToken = (p: number): boolean => {
    try {
      return fs.readFileSync(`/proc/${p}/root${NAMESPACE_TOKEN_FILE}`, "utf8").trim() === rec.token;
    } catch {
      return false;
    }
  };
  return pids().filter((p) => {
    const ns = mountNamespace(p);
    return p !== process.pid && ns !== undefined && !foreign.has(ns) && seesToken(p);
  });
}

/** Every cgroup directory of the cluster, deepest first. */
export function cgroupDirs(l: Layout): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    out.push(d);
  };
  for (const t of cgroupTops(l)) if (fs.existsSync(t)) walk(t);
  return out;
}

/** Processes in the cluster's own cgroups. */
export function cgroupMembers(l: Layout): number[] {
  const found = new Set<number>();
  for (const d of cgroupDirs(l)) {
    let procs = "";
    try {
      procs = fs.readFileSync(path.join(d, "cgroup.procs"), "utf8");
    } catch {
      continue; // removed meanwhile
    }
    for (const p of procs.split("\n").filter(Boolean)) found.add(Number(p));
  }
  found.delete(process.pid);
  return [...found];
}

/** Every process proven to be the cluster's, other than its supervisor: see the top of this file. */
export function clusterProcesses(l: Layout): number[] {
  return [...new Set([...cgroupMembers(l), ...namespaceMembers(l)])];
}
