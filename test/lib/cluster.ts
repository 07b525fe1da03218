// A real local cluster under the tests (tools/src/local/cluster): one per test file, started in beforeAll
// and stopped by PID in afterAll, plus TCP clients that run inside the cluster's network namespace, so a
// test reaches ClusterIPs exactly as a pod's neighbour on the node would.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import { systemTool } from "../../tools/src/lib/toolpaths.ts";
import {
  clusterDown,
  clusterUp,
  nsenterArgs,
  type Cluster,
  type UpOptions,
} from "../../tools/src/local/cluster/cluster.ts";
import { onCleanup } from "../../tools/src/local/lab/cleanup.ts";

/** Starts a cluster for this test file; the getter throws if used before beforeAll ran. */
export function useCluster(opts: Omit<UpOptions, "name"> & { prefix: string }): () => Cluster {
  let c: Cluster | undefined;
  const name = `${opts.prefix}${process.pid % 100_000}`;
  // Registered before the cluster starts (a hook registered inside another hook never runs), and also with
  // the cleanup registry, for a worker stopped by a signal. A cluster is a detached supervisor: nothing else
  // would stop it.
  const handle = onCleanup(`cluster ${name}`, () => clusterDown(name));
  beforeAll(async () => {
    const t0 = Date.now();
    c = await clusterUp({ ...opts, name });
    console.log(`cluster ${name} up in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${JSON.stringify(c.timings)}`);
  }, 600_000);
  afterAll(async () => {
    await clusterDown(name);
    handle.release();
  }, 120_000);
  return () => {
    if (!c) throw new Error("the cluster is not running (beforeAll failed?)");
    return c;
  };
}

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
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  const closed = new Promise<void>((r) => child.on("close", () => r()));
  return {
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

const LISTENER = `
const net = require("node:net");
const server = net.createServer((s) => { s.on("error", () => s.destroy()); s.pipe(s); });
server.listen(Number(process.argv[1]), "127.0.0.1", () => process.stdout.write("listening\\n"));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

/**
 * A TCP echo server on 127.0.0.1:port inside the cluster's network namespace, where the demo targets' tailscaled
 * dial inbound tailnet connections: a demo target's port that starts to answer. Resolves once it listens.
 */
export async function nsListen(c: Cluster, port: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn(systemTool("nsenter"), [...nsenterArgs(c.pid), process.execPath, "-e", LISTENER, String(port)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const closed = new Promise<void>((r) => child.on("close", () => r()));
  const handle = onCleanup(`ns listener :${port}`, async () => {
    child.stdin?.end();
    await closed;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("close", (code) => reject(new Error(`ns listener :${port} exited (${code}) before listening`)));
  });
  return {
    stop: async () => {
      handle.release();
      child.stdin?.end();
      await closed;
    },
  };
}
