// `cluster down` while `cluster up` is still starting the cluster, through the CLI as a user types them, at
// several moments; and an `up` whose supervisor dies. Each time `up` ends at once (non-zero while it was still
// starting, saying why), a process of the host's lives on, and nothing of the cluster is left.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { clusterDown } from "../../tools/src/local/cluster/cluster.ts";
import { cgroupTops, layout, type Layout } from "../../tools/src/local/cluster/layout.ts";
import { livingSupervisor } from "../../tools/src/local/cluster/ownership.ts";
import { cmdline, mountNamespace, pids } from "../../tools/src/local/proc.ts";
import { ownProcess, until, type OwnProc } from "../lib/own-procs.ts";

interface Run {
  /** Resolves with the exit code, all output, and when it ended (Date.now()). */
  readonly done: Promise<{ code: number | null; out: string; at: number }>;
  out(): string;
}

function cli(...args: string[]): Run {
  const child = spawn(process.execPath, [repoPath("bin/tailnet-egress.js"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string; at: number }>((r) =>
    child.on("close", (code) => r({ code, out, at: Date.now() })),
  );
  return { done, out: () => out };
}

/** The supervisor's mount namespace once it has recorded it (supervisor.ns), to look for leftovers in. */
function recordedNamespace(l: Layout): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(`${l.dir}/supervisor.ns`, "utf8")) as { mnt: string }).mnt;
  } catch {
    return undefined;
  }
}

function leftovers(l: Layout, mnt: string | undefined): string[] {
  const found: string[] = [];
  if (fs.existsSync(`/run/netns/${l.netns}`)) found.push(`netns ${l.netns}`);
  for (const c of cgroupTops(l)) if (fs.existsSync(c)) found.push(`cgroup ${c}`);
  if (fs.existsSync(l.dir)) found.push(`dir ${l.dir}`);
  for (const p of pids()) {
    if (cmdline(p)?.some((arg) => arg.includes(`${l.dir}/`))) found.push(`process ${p} (${cmdline(p)?.join(" ")})`);
    else if (mnt !== undefined && mountNamespace(p) === mnt) found.push(`process ${p} in ${mnt}`);
  }
  return found;
}

const base = `du${process.pid % 10_000}`;
let sentinel: OwnProc;
beforeAll(() => {
  sentinel = ownProcess("sleep", ["900"]);
});
afterAll(async () => {
  for (const m of ["early", "1s", "3s", "ready", "dead"]) await clusterDown(`${base}${m}`);
  await sentinel.stop();
}, 300_000);

describe("cluster down during cluster up", () => {
  // When `down` is issued: once `up` has made the cluster's directory, or so many ms after `up` started, or
  // once `up` has printed that the cluster is ready.
  const moments = [
    { name: "early", when: "dir" },
    { name: "1s", when: 1_000 },
    { name: "3s", when: 3_000 },
    { name: "ready", when: "ready" },
  ] as const;

  it.each(moments)("down at $name: up ends, the host's process lives, nothing is left", async ({ name, when }) => {
    const l = layout(`${base}${name}`);
    const t0 = Date.now();
    const up = cli("cluster", "up", "--name", l.name);
    if (when === "dir") await until("the cluster's directory", 60_000, () => fs.existsSync(l.dir));
    else if (when === "ready") {
      const r = await up.done;
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/^node Ready after \d+\.\ds\ncluster ready after \d+\.\ds \(CoreDNS\)$/m);
    } else await new Promise((r) => setTimeout(r, Math.max(0, t0 + when - Date.now())));
    let mnt: string | undefined;
    const watch = setInterval(() => (mnt ??= recordedNamespace(l)), 20);
    const downAt = Date.now();
    const down = await cli("cluster", "down", "--name", l.name).done;
    const upEnd = await up.done;
    clearInterval(watch);
    console.log(`down at ${name}: up ended ${upEnd.at - downAt} ms after down started (exit ${upEnd.code})`);
    expect(down.code, down.out).toBe(0);
    if (when !== "ready") {
      expect(upEnd.code, upEnd.out).toBe(1);
      expect(upEnd.out).toContain(`local cluster "${l.name}": stopped by cluster down`);
      // `up` ends as soon as it sees the `down`, not after its 600 s wait.
      expect(upEnd.at - downAt, upEnd.out).toBeLessThan(5_000);
    }
    expect(sentinel.alive()).toBe(true);
    expect(livingSupervisor(l)).toBeUndefined();
    expect(leftovers(l, mnt)).toEqual([]);
  });
});

it("up fails within 5 s of its supervisor's death, with the end of its log", async () => {
  const l = layout(`${base}dead`);
  const up = cli("cluster", "up", "--name", l.name);
  // The supervisor has started and entered its own namespace (it records it first thing).
  const mnt = await until("the supervisor's namespace record", 60_000, () => recordedNamespace(l));
  const pid = livingSupervisor(l);
  if (pid === undefined) throw new Error(`no living supervisor of ${l.name}`);
  const killedAt = Date.now();
  process.kill(pid, "SIGKILL"); // the cluster's own supervisor, by the PID `up` recorded
  const r = await up.done;
  const took = r.at - killedAt;
  console.log(`up ended ${took} ms after its supervisor was killed`);
  expect(r.code, r.out).toBe(1);
  expect(r.out).toContain(`local cluster "${l.name}": its supervisor exited; the end of ${l.supervisorLog}:`);
  expect(took, r.out).toBeLessThan(5_000);
  expect(sentinel.alive()).toBe(true);
  expect(leftovers(l, mnt)).toEqual([]);
});
