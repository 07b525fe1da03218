// Processes a test starts to stand in for a cluster's or the host's (a sentinel, a look-alike supervisor, a
// left-over shim), each in its own process group, so the test stops exactly its own by PID afterwards.
import { spawn } from "node:child_process";
import { alive, mountNamespace } from "../../tools/src/local/proc.ts";
import { NAMESPACE_TOKEN_FILE } from "../../tools/src/local/cluster/ownership.ts";

export interface OwnProc {
  readonly pid: number;
  /** Everything it wrote to stdout so far. */
  out(): string;
  /** How it ended: the signal's name, or `code N`. */
  readonly ended: Promise<string>;
  alive(): boolean;
  /** SIGKILL its process group (its own children too) and wait for it. */
  stop(): Promise<void>;
}

export function ownProcess(command: string, args: readonly string[]): OwnProc {
  const child = spawn(command, [...args], { detached: true, stdio: ["ignore", "pipe", "inherit"] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const ended = new Promise<string>((r) => child.on("exit", (code, sig) => r(sig ?? `code ${code}`)));
  return {
    pid,
    out: () => out,
    ended,
    alive: () => child.exitCode === null && child.signalCode === null && alive(pid),
    stop: async () => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // group gone
      }
      await ended;
    },
  };
}

export async function until<T>(what: string, ms: number, fn: () => T | undefined | false): Promise<T> {
  for (const deadline = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
  }
}

/**
 * A process in a private mount namespace of its own that shows `token` at the path where a supervisor shows
 * its namespace token (as containerd's shims do, left in a supervisor's namespace), and that namespace.
 */
export async function privateNamespaceProcess(token: string): Promise<{ proc: OwnProc; mnt: string }> {
  const dir = NAMESPACE_TOKEN_FILE.slice(0, NAMESPACE_TOKEN_FILE.lastIndexOf("/"));
  const proc = ownProcess("unshare", [
    "--mount",
    "--propagation",
    "slave",
    "sh",
    "-c",
    `mkdir -p ${dir} && mount -t tmpfs tmpfs ${dir} && echo ${token} > ${NAMESPACE_TOKEN_FILE} && echo ok && exec sleep 600`,
  ]);
  await until("the private namespace process", 10_000, () => proc.out().includes("ok") || !proc.alive());
  const mnt = mountNamespace(proc.pid);
  if (!proc.alive() || mnt === undefined || mnt === mountNamespace(process.pid)) {
    throw new Error(`the private namespace process did not start (${await proc.ended})`);
  }
  return { proc, mnt };
}
