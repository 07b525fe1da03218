// files/containerboot-loop.sh, the main process of every Tailscale container, run as the chart runs it
// (/bin/sh -c <script without comments> ts-x) as PID 1 of its own PID namespace, like a container, with the
// system's sh (dash) and with busybox sh (the tailscale image's shell). Stand-ins on PATH: `containerboot`
// logs its starts, starts `tailscaled` in its own session (as containerboot does with Setpgid) and leaves it
// behind when killed; on SIGTERM it takes 300 ms, stops its tailscaled and exits 0.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { systemTool } from "../tools/src/local/lab/bins.ts";
import { descendantNamed, descendantsNamed } from "../tools/src/local/lab/proctree.ts";
import { containerbootLoop, expandVars } from "../tools/src/local/pod/spec.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";

const dir = tempDir("tse-cbloop");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = (name: string, body: string): string => {
  const p = join(dir, "bin", name);
  writeFileSync(p, `#!/bin/sh\n${body}`);
  chmodSync(p, 0o755);
  return p;
};
const BIN = join(dir, "bin");
const FAKE = join(dir, "fake"); // sleep and date stand-ins: instant backoff, a clock the test moves
for (const d of [BIN, FAKE]) mkdirSync(d);
script(
  "containerboot",
  `echo "start $$" >>"$LOG"
n=$(grep -c '^start' "$LOG")
if [ "\${CB_MODE:-}" = crash ]; then
  [ "$n" != "\${LONG_RUN_AT:-}" ] || echo $(($(cat "$CLOCK") + 100)) >"$CLOCK"
  exit 3
fi
setsid tailscaled &
t=$!
trap 'echo "term $$" >>"$LOG"; sleep 0.3; kill "$t"; echo "exit $$" >>"$LOG"; exit 0' TERM
sleep 1000 &
wait
`,
);
script(
  "tailscaled",
  `echo "tailscaled $$" >>"$LOG"
trap 'echo "tailscaled-term $$" >>"$LOG"; kill "$s"; exit 0' TERM
sleep 1000 &
s=$!
wait
`,
);
writeFileSync(join(FAKE, "sleep"), `#!/bin/sh\necho "$1" >>"$SLEEPS"\nexec /bin/sleep 0.02\n`);
writeFileSync(join(FAKE, "date"), `#!/bin/sh\necho $(($(/bin/date +%s) + $(cat "$CLOCK")))\n`);
for (const f of ["sleep", "date"]) chmodSync(join(FAKE, f), 0o755);

const SHELLS = [
  ["dash", ["/bin/sh"]],
  ["busybox sh", ["/bin/busybox", "sh"]],
] as const;
const LINE =
  /^ts-x: containerboot exited \(code (\d+)\); restarting it in (\d+)s; the other tailnets are not affected$/;

interface Loop {
  child: ChildProcess;
  files: { LOG: string; CLOCK: string; SLEEPS: string };
  log(): string;
  stderr(): string;
  /** [code, delay] of each "containerboot exited" line. */
  exits(): [number, number][];
  exited: Promise<{ code: number | null; at: number }>;
}

const running: Loop[] = [];
afterEach(() => {
  for (const l of running.splice(0)) if (l.child.exitCode === null) process.kill(-l.child.pid!, "SIGKILL");
});

let n = 0;
function startLoop(shell: readonly string[], env: Record<string, string> = {}, path = `${BIN}:/usr/bin:/bin`): Loop {
  const run = join(dir, `run${n++}`);
  mkdirSync(run);
  const files = { LOG: join(run, "log"), CLOCK: join(run, "clock"), SLEEPS: join(run, "sleeps") };
  writeFileSync(files.LOG, "");
  writeFileSync(files.CLOCK, "0");
  let err = "";
  const child = spawn(
    systemTool("unshare"),
    ["--pid", "--fork", "--mount-proc", "--kill-child", "--", ...shell, "-c", containerbootLoop(), "ts-x"],
    { env: { PATH: path, ...files, ...env }, detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((r) =>
    child.once("exit", (code) => r({ code, at: Date.now() })),
  );
  const loop: Loop = {
    child,
    files,
    log: () => readFileSync(files.LOG, "utf8"),
    stderr: () => err,
    exits: () =>
      err
        .split("\n")
        .map((l) => l.match(LINE))
        .filter((m) => m !== null)
        .map((m) => [Number(m[1]), Number(m[2])]),
    exited,
  };
  running.push(loop);
  return loop;
}

async function until<T>(what: string, ms: number, f: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The loop's shell: the one child of unshare (PID 1 of the namespace). */
function loopPid(l: Loop): number {
  const pid = l.child.pid!;
  return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim());
}

const starts = (l: Loop): number => (l.log().match(/^start /gm) ?? []).length;

describe("the rendered loop", () => {
  it("is the file without its comment lines, and the kubelet's $(VAR) expansion leaves it unchanged", () => {
    const loop = containerbootLoop();
    expect(loop).toMatch(/^stop\(\) \{/);
    expect(loop).not.toMatch(/^\s*#/m);
    expect(loop).not.toContain("$$");
    const env = Object.fromEntries(["date", "date +%s", "(date +%s", "($(date +%s"].map((k) => [k, "X"]));
    expect(expandVars(loop, { POD_NAME: "p", ...env })).toBe(loop);
  });
});

describe.each(SHELLS)("files/containerboot-loop.sh with %s", (_name, shell) => {
  it("containerboot killed: one line, its orphan tailscaled stopped, containerboot started again after 1 s; SIGTERM then waits for containerboot and exits 0", async () => {
    const l = startLoop(shell);
    await until("the first tailscaled", 5000, () => /^tailscaled /m.test(l.log()));
    const root = l.child.pid!;
    const boot = descendantNamed(root, "containerboot");
    const orphan = descendantNamed(root, "tailscaled");
    const killedAt = Date.now();
    process.kill(boot, "SIGKILL");
    await until("the second start", 8000, () => starts(l) === 2);
    const restartMs = Date.now() - killedAt;
    console.log(`[${_name}] containerboot started again ${restartMs} ms after SIGKILL`);
    expect(restartMs).toBeGreaterThanOrEqual(1000);
    expect(restartMs).toBeLessThan(3500);
    // The orphan got SIGTERM before the new start, and is gone (reaped by the loop, PID 1).
    const log = l.log();
    expect(log.indexOf(`tailscaled-term ${log.match(/^tailscaled (\d+)/m)![1]}`)).toBeGreaterThan(-1);
    expect(log.indexOf("tailscaled-term")).toBeLessThan(log.lastIndexOf("start "));
    await until("the orphan reaped", 3000, () => !existsSync(`/proc/${orphan}`));
    await until("the new tailscaled", 3000, () => descendantsNamed(root, "tailscaled").length === 1);
    expect(descendantsNamed(root, "tailscaled")).not.toContain(orphan);
    expect(l.exits()).toEqual([[137, 1]]);
    expect(l.stderr().trim().split("\n")).toHaveLength(1);

    const termAt = Date.now();
    process.kill(loopPid(l), "SIGTERM");
    const { code, at } = await l.exited;
    expect(code).toBe(0);
    // The stand-in takes 300 ms after SIGTERM; the loop waited for it.
    expect(at - termAt).toBeGreaterThanOrEqual(300);
    expect(at - termAt).toBeLessThan(2000);
    // containerboot's stand-in logged the SIGTERM, then its exit 300 ms later (its tailscaled's lines may
    // come in between).
    const [, pid] = /^term (\d+)$/m.exec(l.log()) ?? [];
    expect(pid).toBeDefined();
    expect(l.log().indexOf(`exit ${pid}`)).toBeGreaterThan(l.log().indexOf(`term ${pid}`));
  }, 20_000);

  it("containerboot failing at once: the backoff grows (1, 2, 4 s) and SIGTERM during it exits 0 at once", async () => {
    const l = startLoop(shell, { CB_MODE: "crash" });
    const t0 = Date.now();
    await until("the third line", 6000, () => l.exits().length === 3);
    const elapsed = Date.now() - t0;
    expect(l.exits()).toEqual([
      [3, 1],
      [3, 2],
      [3, 4],
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    const termAt = Date.now();
    process.kill(loopPid(l), "SIGTERM");
    const { code, at } = await l.exited;
    console.log(`[${_name}] exited ${at - termAt} ms after SIGTERM during a 4 s backoff`);
    expect(code).toBe(0);
    expect(at - termAt).toBeLessThan(500);
    expect(starts(l)).toBe(3);
  }, 20_000);
});

describe("files/containerboot-loop.sh backoff with dash, sleep and date stand-ins", () => {
  it("caps at 30 s and starts again at 1 s after a run of 60 s or more", async () => {
    // The 9th containerboot moves the clock 100 s ahead: its run lasted 100 s.
    const l = startLoop(["/bin/sh"], { CB_MODE: "crash", LONG_RUN_AT: "9" }, `${FAKE}:${BIN}:/usr/bin:/bin`);
    const sleeps = () => readFileSync(l.files.SLEEPS, "utf8").split("\n").filter(Boolean);
    // The loop prints its line, then calls sleep: wait for both, or the tenth sleep may not be written yet.
    await until("ten lines and ten sleeps", 10_000, () => l.exits().length >= 10 && sleeps().length >= 10);
    process.kill(loopPid(l), "SIGTERM");
    expect((await l.exited).code).toBe(0);
    expect(
      l
        .exits()
        .slice(0, 10)
        .map(([, d]) => d),
    ).toEqual([1, 2, 4, 8, 16, 30, 30, 30, 1, 2]);
    // What the loop asked sleep for: the backoffs only (no tailscaled was left to wait for).
    expect(sleeps().slice(0, 10).map(Number)).toEqual([1, 2, 4, 8, 16, 30, 30, 30, 1, 2]);
  }, 20_000);
});
