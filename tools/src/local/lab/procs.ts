// Process supervisor: start a command in its own process group with stdout+stderr appended to a
// log file, wait for log lines, stop it (SIGTERM to the group, then SIGKILL), and register it with
// the cleanup registry so nothing outlives the test run. A sandboxed process runs as PID 1 of its
// own PID namespace under `unshare` (which ignores SIGTERM and waits), so the group SIGTERM reaches
// the real process, and when it exits everything it started dies with the namespace. Children are also started under
// `setpriv --pdeathsig SIGKILL`, so they die even if this Node process is SIGKILLed.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { onCleanup, type CleanupHandle } from "./cleanup.ts";
import { systemTool } from "./bins.ts";
import { sandboxCommand, type SandboxSpec } from "./sandbox.ts";

export interface StartOptions {
  /** Short name used in logs and errors. */
  name: string;
  command: string;
  args?: readonly string[];
  /** Environment. Merged over a minimal base (PATH, HOME) unless inheritEnv is true. */
  env?: Readonly<Record<string, string>>;
  inheritEnv?: boolean;
  cwd?: string;
  /** Directory for the log file (<name>.log); created if missing. */
  logDir: string;
  /** Run inside a sandbox (PID + mount namespace, lab /etc/hosts + resolv.conf); see sandbox.ts. */
  sandbox?: Omit<SandboxSpec, "command" | "args">;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process exits (never rejects). */
  readonly exited: Promise<ExitInfo>;
  running(): boolean;
  /** SIGTERM the process group, wait up to graceMs, then SIGKILL it. Idempotent. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** SIGKILL the process group and wait for exit. */
  kill(): Promise<ExitInfo>;
  /** Send a signal to the main process only (not its group). */
  signal(sig: NodeJS.Signals): void;
  log(): string;
  /** Wait for a log line matching re; rejects on timeout or process exit, quoting the log tail. */
  waitForLog(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

const BASE_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: process.env.HOME ?? "/root",
};

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // group already gone
  }
}

export function logTail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

export function startProcess(opts: StartOptions): Proc {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${opts.name.replace(/[^A-Za-z0-9_.-]/g, "_")}.log`);
  const fd = fs.openSync(logFile, "a");
  fs.writeSync(fd, `# ${new Date().toISOString()} start: ${opts.command} ${(opts.args ?? []).join(" ")}\n`);
  const env = opts.inheritEnv ? { ...process.env, ...opts.env } : { ...BASE_ENV, ...opts.env };
  const inner = opts.sandbox
    ? sandboxCommand({ ...opts.sandbox, command: opts.command, args: opts.args ?? [] })
    : { command: opts.command, args: [...(opts.args ?? [])] };
  const child = spawn(systemTool("setpriv"), ["--pdeathsig", "SIGKILL", "--", inner.command, ...inner.args], {
    cwd: opts.cwd,
    env,
    detached: true, // own process group: stop() signals the whole group
    stdio: ["ignore", fd, fd],
  });
  fs.closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${opts.name}: spawn of ${opts.command} failed`);

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      // The leader is gone; reap anything left in its group.
      killGroup(pid, "SIGKILL");
      resolve(exitInfo);
    });
    child.once("error", (err) => {
      exitInfo = { code: -1, signal: null };
      fs.appendFileSync(logFile, `# spawn error: ${err.message}\n`);
      resolve(exitInfo);
    });
  });

  let handle: CleanupHandle | undefined;
  const readLog = (): string => {
    try {
      return fs.readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  const stop = async (graceMs = 10_000): Promise<ExitInfo> => {
    if (exitInfo === undefined) {
      killGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    handle?.release();
    return exited;
  };

  const proc: Proc = {
    name: opts.name,
    pid,
    logFile,
    exited,
    running: () => exitInfo === undefined,
    stop,
    kill: async () => {
      if (exitInfo === undefined) killGroup(pid, "SIGKILL");
      await exited;
      handle?.release();
      return exited;
    },
    signal: (sig) => {
      if (exitInfo === undefined) process.kill(pid, sig);
    },
    log: readLog,
    waitForLog: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const tick = (): void => {
          const m = readLog().match(re);
          if (m) resolve(m);
          else if (exitInfo !== undefined) {
            reject(
              new Error(
                `${opts.name} exited (${JSON.stringify(exitInfo)}) before log matched ${re}\n${logTail(readLog())}`,
              ),
            );
          } else if (Date.now() > deadline) {
            reject(
              new Error(`${opts.name}: timed out after ${timeoutMs} ms waiting for log ${re}\n${logTail(readLog())}`),
            );
          } else setTimeout(tick, 100);
        };
        tick();
      }),
  };
  handle = onCleanup(
    `process ${opts.name} (pid ${pid})`,
    async () => void (await stop(5_000)),
    () => killGroup(pid, "SIGKILL"),
  );
  return proc;
}

/** Thrown by a waitFor probe to fail at once instead of retrying (what it waits on can no longer come, e.g.
 * the process that would bring it has exited). Any other error is retried until the timeout. */
export class StopWaiting extends Error {}

/** Poll fn until it returns a non-undefined value or the timeout passes; a StopWaiting from fn ends it at once. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const why = lastErr instanceof Error ? `: last error: ${lastErr.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Run a command to completion (with timeout, optional stdin) and capture output; throws on non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: { env?: Readonly<Record<string, string>>; timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: opts.cwd,
      env: { ...BASE_ENV, ...opts.env },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // "close", not "exit": exit can come before the pipes are drained, and the output would be cut short.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(
            `${path.basename(command)} ${args.join(" ")} failed (code ${code}, signal ${signal}):\n${stderr || stdout}`,
          ),
        );
    });
  });
}

/** setpriv's arguments that run what follows them as a pod's non-root user: that uid and gid, no
 * supplementary groups, no new privileges, no capabilities (the chart's securityContext drops ALL). */
export function setprivUserArgs(runAs: { uid: number; gid: number }): string[] {
  return [
    "--reuid",
    String(runAs.uid),
    "--regid",
    String(runAs.gid),
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--",
  ];
}

/** `command args` run as the pod's non-root user through setpriv (setprivUserArgs), or unchanged without one. */
export function asUser(
  runAs: { uid: number; gid: number } | undefined,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return runAs
    ? { command: systemTool("setpriv"), args: [...setprivUserArgs(runAs), command, ...args] }
    : { command, args: [...args] };
}
