// The process table (tools/src/local/proc.ts) read for this process and a child of its own.
import { spawn } from "node:child_process";
import { readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alive, childrenNamed, cmdline, comm, mountNamespace, pids, procStat } from "../../tools/src/local/proc.ts";

describe("the process table", () => {
  it("reads this process", () => {
    expect(pids()).toContain(process.pid);
    expect(alive(process.pid)).toBe(true);
    expect(procStat(process.pid)?.ppid).toBe(process.ppid);
    expect(cmdline(process.pid)?.length).toBeGreaterThan(0);
    expect(mountNamespace(process.pid)).toBe(readlinkSync("/proc/self/ns/mnt"));
  });

  it("finds a child by name, and calls it dead once it has exited", async () => {
    const child = spawn("sleep", ["30"]);
    const pid = child.pid as number;
    expect(childrenNamed(process.pid, "sleep")).toContain(pid);
    expect(comm(pid)).toBe("sleep");
    expect(cmdline(pid)).toEqual(["sleep", "30"]);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(alive(pid)).toBe(false);
    expect(procStat(pid)).toBeUndefined();
    expect(cmdline(pid)).toBeUndefined();
  });
});
