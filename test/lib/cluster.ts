// A real local cluster under the tests (tools/src/local/cluster): one per test file, started in beforeAll
// and stopped by PID in afterAll, and a TCP echo listener inside the cluster's network namespace. The TCP clients
// that run there are product code (tools/src/local/cluster/clients.ts), shared with the cluster benchmark.
import { spawn } from "node:child_process";
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

export {
  nsConnect,
  nsExchange,
  nsProber,
  type NsConn,
  type ProbeResult,
} from "../../tools/src/local/cluster/clients.ts";

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
