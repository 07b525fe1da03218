// What /proc says about the lab's processes: which processes run in a sandbox's tree (by PPid), and how much CPU
// time one has used (utime + stime of /proc/<pid>/stat: every thread of the process, not its children).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): field 3 is index 0. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** utime + stime of the process in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

/** Every process named `name` (/proc/<pid>/comm) in the process tree of `root` (root included), found by PPid. */
export function descendantsNamed(root: number, name: string): number[] {
  const parent = new Map<number, number>();
  const named: number[] = [];
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const pid = Number(d);
      parent.set(pid, Number(statFields(pid)[1]));
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === name) named.push(pid);
    } catch {
      // gone
    }
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
