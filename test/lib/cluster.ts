// A real local cluster under the tests (tools/src/local/cluster): one per test file, started in beforeAll
// and stopped by PID in afterAll. The TCP clients that run inside the cluster's network namespace are product
// code (tools/src/local/cluster/clients.ts), shared with the cluster benchmark.
import { afterAll, beforeAll } from "vitest";
import { clusterDown, clusterUp, type Cluster, type UpOptions } from "../../tools/src/local/cluster/cluster.ts";
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
