// The process table, as /proc shows it: the PIDs, each one's /proc/<pid>/stat (state, parent, start time, CPU
// ticks), command line, name and mount namespace, and whether it is alive (a zombie has exited: it is dead).
// Every reader returns undefined for a process that is gone (or was never there) instead of throwing.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcStat {
  /** R, S, D, Z (zombie), T, ... */
  state: string;
  ppid: number;
  /** Clock ticks after boot when the process started: with the PID, names one process across PID reuse. */
  startTime: number;
  /** CPU time in clock ticks, in user and kernel mode (every thread of the process, not its children). */
  utime: number;
  stime: number;
}

const read = <T>(fn: () => T): T | undefined => {
  try {
    return fn();
  } catch {
    return undefined;
  }
};

/** Every PID in /proc now. */
export function pids(): number[] {
  return readdirSync("/proc")
    .filter((x) => /^\d+$/.test(x))
    .map(Number);
}

/** /proc/<pid>/stat. Its fields are counted after the command name, which may hold spaces and parentheses. */
export function procStat(pid: number): ProcStat | undefined {
  return read(() => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // f[0] is field 3 of proc(5): state 3, ppid 4, utime 14, stime 15, starttime 22.
    return {
      state: f[0] ?? "",
      ppid: Number(f[1]),
      utime: Number(f[11]),
      stime: Number(f[12]),
      startTime: Number(f[19]),
    };
  });
}

/** The arguments of /proc/<pid>/cmdline (empty for a kernel thread or a zombie). */
export function cmdline(pid: number): string[] | undefined {
  return read(() => {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (args.at(-1) === "") args.pop();
    return args;
  });
}

/** The process's name, /proc/<pid>/comm (at most 15 characters). */
export function comm(pid: number): string | undefined {
  return read(() => readFileSync(`/proc/${pid}/comm`, "utf8").trim());
}

/** Its mount namespace, e.g. `mnt:[4026531841]`. */
export function mountNamespace(pid: number): string | undefined {
  return read(() => readlinkSync(`/proc/${pid}/ns/mnt`));
}

/** Whether the process exists and has not exited (a zombie is dead). */
export function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== "Z";
}

/** The direct children of `parent` named `name` (comm). */
export function childrenNamed(parent: number, name: string): number[] {
  return pids().filter((p) => procStat(p)?.ppid === parent && comm(p) === name);
}
