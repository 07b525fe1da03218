// TCP clients that run inside a local cluster's network namespace, so a caller reaches ClusterIPs exactly as a
// pod's neighbour on the node would: one connection, one request, or a prober that opens a new connection every
// few hundred ms. Used by the cluster tests and the cluster benchmark.
import { spawn, type ChildProcess } from "node:child_process";
import { systemTool } from "../../lib/toolpaths.ts";
import { nsenterArgs, type Cluster } from "./cluster.ts";

/** A TCP connection made from inside the cluster's network namespace, its bytes piped to this process. */
export interface NsConn {
  /** Resolves with everything received once the peer closes (or after timeoutMs: then `timedOut`). */
  readonly done: Promise<{ data: Buffer; connected: boolean; timedOut: boolean }>;
  write(b: Buffer | string): void;
  /** Half-close: send EOF after what was written. */
  end(): void;
  /** Waits until at least n bytes arrived; returns all bytes so far. */
  waitBytes(n: number, timeoutMs?: number): Promise<Buffer>;
  kill(): void;
}

const CLIENT = `
const net = require("node:net");
const [host, port] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
s.on("connect", () => process.stderr.write("connected\\n"));
process.stdin.on("data", (d) => s.write(d));
process.stdin.on("end", () => s.end());
s.on("data", (d) => process.stdout.write(d));
s.on("close", () => process.stdout.end(() => process.exit(0)));
s.on("error", (e) => (process.stderr.write("error " + e.code + "\\n"), process.exit(0)));
`;

export function nsConnect(c: Cluster, host: string, port: number, timeoutMs = 30_000): NsConn {
  const child: ChildProcess = spawn(
    systemTool("nsenter"),
    [...nsenterArgs(c.pid), process.execPath, "-e", CLIENT, host, String(port)],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const chunks: Buffer[] = [];
  let connected = false;
  let waiter: (() => void) | undefined;
  child.stdout?.on("data", (d: Buffer) => (chunks.push(d), waiter?.()));
  child.stderr?.on("data", (d: Buffer) => {
    if (d.toString().includes("connected")) connected = true;
  });
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), child.kill("SIGKILL")), timeoutMs);
  const done = new Promise<{ data: Buffer; connected: boolean; timedOut: boolean }>((resolve) =>
    child.on(
      "close",
      () => (clearTimeout(timer), waiter?.(), resolve({ data: Buffer.concat(chunks), connected, timedOut })),
    ),
  );
  return {
    done,
    write: (b) => void child.stdin?.write(b),
    end: () => void child.stdin?.end(),
    kill: () => void child.kill("SIGKILL"),
    waitBytes: (n, ms = 15_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${n} bytes from ${host}:${port} within ${ms} ms`)), ms);
        const check = (): void => {
          const got = Buffer.concat(chunks);
          if (got.length >= n) return void (clearTimeout(t), (waiter = undefined), resolve(got));
          if (child.exitCode !== null || child.signalCode !== null)
            return void (clearTimeout(t), reject(new Error(`${host}:${port} closed after ${got.length} bytes`)));
        };
        waiter = check;
        check();
      }),
  };
}

/**
 * One request: send payload and collect the reply until `expect` bytes arrived, the peer closed, or timeoutMs.
 * The connection is never half-closed: through Envoy and a CONNECT tunnel a half-close ends the whole stream.
 */
export async function nsExchange(
  c: Cluster,
  host: string,
  port: number,
  payload: Buffer | string,
  expect: number,
  timeoutMs = 20_000,
): Promise<{ data: Buffer; connected: boolean; timedOut: boolean }> {
  const conn = nsConnect(c, host, port, timeoutMs);
  conn.write(payload);
  await conn.waitBytes(expect, timeoutMs).then(conn.kill, () => undefined);
  return conn.done;
}

const PROBER = `
const net = require("node:net");
const [host, port, text, expect, everyMs] = process.argv.slice(1);
let stop = false;
process.stdin.on("end", () => (stop = true));
process.stdin.resume();
const once = () => new Promise((resolve) => {
  const t0 = Date.now();
  let got = "";
  const s = net.connect({ host, port: Number(port) });
  const done = (ok, why) => (clearTimeout(timer), s.destroy(), resolve({ ok, why, ms: Date.now() - t0 }));
  const timer = setTimeout(() => done(false, "timeout"), 3000);
  s.on("connect", () => s.write(text));
  s.on("data", (d) => { got += d; if (got.length >= expect.length) done(got === expect, got === expect ? "" : "bytes"); });
  s.on("close", () => done(false, "closed"));
  s.on("error", (e) => done(false, e.code));
});
(async () => {
  while (!stop) {
    process.stdout.write(JSON.stringify({ at: Date.now(), ...(await once()) }) + "\\n");
    await new Promise((r) => setTimeout(r, Number(everyMs)));
  }
  process.exit(0);
})();
`;

export interface ProbeResult {
  at: number;
  ok: boolean;
  why: string;
  ms: number;
}

/**
 * New connections to host:port from inside the namespace, one every everyMs by one long-lived process (no
 * process start per connection), each sending text and expecting exactly `expect` back. stop() returns them all.
 */
export function nsProber(c: Cluster, host: string, port: number, text: string, expect: string, everyMs = 200) {
  const child = spawn(
    systemTool("nsenter"),
    [...nsenterArgs(c.pid), process.execPath, "-e", PROBER, host, String(port), text, expect, String(everyMs)],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let out = "";
  let first: (() => void) | undefined;
  const answered = new Promise<void>((r) => (first = r));
  child.stdout?.on("data", (d: Buffer) => ((out += d.toString()), out.includes("\n") && first?.()));
  const closed = new Promise<void>((r) => child.on("close", () => r()));
  return {
    /** Resolves once the first connection has been tried (so a caller can disturb something after it). */
    started: (timeoutMs = 30_000): Promise<void> =>
      Promise.race([
        answered,
        closed.then(() => {
          throw new Error(`the prober of ${host}:${port} exited before its first connection`);
        }),
        new Promise<void>((_, reject) =>
          setTimeout(
            () => reject(new Error(`no first connection to ${host}:${port} within ${timeoutMs} ms`)),
            timeoutMs,
          ).unref(),
        ),
      ]),
    stop: async (): Promise<ProbeResult[]> => {
      child.stdin?.end();
      await closed;
      return out
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as ProbeResult);
    },
  };
}
