// What /proc says about the lab's processes (read through ../proc.ts): which processes run in a sandbox's tree
// (by PPid), and how much CPU time one has used (utime + stime: every thread of the process, not its children).
import { execFileSync } from "node:child_process";
import { childrenNamed, comm, pids, procStat } from "../proc.ts";

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of the process in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const s = procStat(pid);
  if (s === undefined) throw new Error(`no process ${pid}`);
  return (s.utime + s.stime) / TICKS_PER_S;
}

/** Every process named `name` (/proc/<pid>/comm) in the process tree of `root` (root included), found by PPid. */
export function descendantsNamed(root: number, name: string): number[] {
  const parent = new Map<number, number>();
  const named: number[] = [];
  for (const pid of pids()) {
    const s = procStat(pid);
    if (s === undefined) continue; // gone
    parent.set(pid, s.ppid);
    if (comm(pid) === name) named.push(pid);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++)
      if (p === root) return true;
    return false;
  };
  return named.filter(inTree);
}

/** The one process named `name` in the tree of `root`; throws when there is none or more than one. */
export function descendantNamed(root: number, name: string): number {
  const found = descendantsNamed(root, name);
  if (found.length !== 1) throw new Error(`expected one ${name} below pid ${root}, found ${found.length}`);
  return found[0]!;
}

/** A direct child of `pid` named `name` (the first found); throws when there is none. */
export function childNamed(pid: number, name: string): number {
  const found = childrenNamed(pid, name)[0];
  if (found === undefined) throw new Error(`no child ${name} of pid ${pid}`);
  return found;
}
