// How soon things happen on a real node: the local cluster (tools/src/local/cluster: kubelet, containerd,
// kube-proxy and CoreDNS in a network namespace of the benchmark's own) with the demo tailnets and the demo
// release (two tailnets, Helm 3, termination.drainSeconds 10). The figures the docs quote:
//   node Ready            cluster up: the supervisor's start to the node's Ready condition (its own timing)
//   helm install --wait   the demo release into a restricted namespace, until helm returns
//   edit to serving       helm upgrade adding a service, until its new port answers byte-exact through the
//                         Service (a connection every 250 ms from the node): with the kubelet's defaults
//                         (syncFrequency 1m), with syncFrequency 5s, and with envoy.rolloutOnConfigChange: true
//                         (kubelet defaults; the pod restarts with its drain)
//   port removed          helm upgrade removing that service, until its port no longer answers
//   drain                 kubectl delete pod, until the old pod is NotReady (its containers still running), and
//                         until the new pod is Ready
// Every repeat with the kubelet's defaults starts a cluster of its own (so node Ready has as many samples and
// each edit meets the kubelet's sync at an unrelated moment); the syncFrequency 5s edits repeat in one cluster.
//   npm run bench -- cluster
//   BENCH_CLUSTER_REPEATS=5 npm run bench -- cluster (the default)
import { loadavg } from "node:os";
import { clusterDown, clusterUp, type Cluster } from "../tools/src/local/cluster/cluster.ts";
import { nsExchange } from "../tools/src/local/cluster/clients.ts";
import {
  CHART,
  clusterIP,
  demoTarget,
  demoValues,
  helm,
  isReady,
  pod,
  restrictedNamespace,
  type PodStatus,
} from "../tools/src/local/cluster/release.ts";
import { onCleanup } from "../tools/src/local/lab/cleanup.ts";
import { waitFor } from "../tools/src/local/lab/procs.ts";
import { rerunCommand, sampledFigure, type Figure, type Section } from "./lib/results.ts";

const REPEATS = Number(process.env.BENCH_CLUSTER_REPEATS ?? 5);
const NS = "egress";
const RELEASE = "egress";
const SVC = `${RELEASE}-tailscale-egress`;
const POD = `${SVC}-0`;
/** The demo values' drain and the chart's readiness probe period (envoy.probes.readiness.periodSeconds). */
const DRAIN_S = 10;
const READINESS_PERIOD_S = 5;
/** beta's services in the demo values are on 11000 and 11001; each added one takes the next port. */
const betaPort = (service: number): number => 11000 + service;

const seconds = (t0: number): number => (Date.now() - t0) / 1000;
const log = (what: string): void => console.error(`bench cluster: ${what}`);

interface Samples {
  nodeReady: number[];
  up: number[];
  install: number[];
  editDefault: number[];
  removed: number[];
  rollout: number[];
  notReady: number[];
  newPodReady: number[];
  edit5s: number[];
  /** Rollouts whose new port was first served by the old pod (it synced the ConfigMap during its drain). */
  rolloutServedByOld: number;
}

/** A cluster of this run, stopped by its own name on any exit (a signal included). */
async function withCluster<T>(
  tag: string,
  syncFrequency: string | undefined,
  fn: (c: Cluster, upSeconds: number) => Promise<T>,
) {
  const name = `bench${tag}${process.pid % 10_000}`;
  const handle = onCleanup(`cluster ${name}`, () => clusterDown(name));
  try {
    const t0 = Date.now();
    const c = await clusterUp({ name, demo: true, ...(syncFrequency ? { syncFrequency } : {}) });
    return await fn(c, seconds(t0));
  } finally {
    await clusterDown(name);
    handle.release();
  }
}

/** The supervisor's own timing of a step, in seconds since it started; an error names the known steps. */
function timing(c: Cluster, step: string): number {
  const t = c.timings[step];
  if (t === undefined) throw new Error(`no "${step}" in the cluster's timings: ${JSON.stringify(c.timings)}`);
  return t;
}

async function install(c: Cluster): Promise<{ ip: string; seconds: number }> {
  await restrictedNamespace(c, NS);
  const t0 = Date.now();
  await helm(c, 3, ["install", RELEASE, CHART, "-n", NS, "-f", c.values ?? "", "--wait", "--timeout", "5m"]);
  return { ip: await clusterIP(c, NS, SVC), seconds: seconds(t0) };
}

/** The demo values plus beta's services 2..n (ports 11002..), optionally with envoy.rolloutOnConfigChange. */
function withBetaServices(c: Cluster, n: number, rollout = false): string {
  const beta = demoTarget(c, "beta");
  return demoValues(c, (v) => {
    for (let s = 2; s <= n; s++) v.tailnets[1]!.services.push({ name: `beta-${s}`, host: beta.ipv4, port: beta.port });
    if (rollout) v.envoy = { ...(v.envoy as Record<string, unknown>), rolloutOnConfigChange: true };
  });
}

/** Whether beta's tagged echo answers byte-exact on that Service port now. */
async function answers(c: Cluster, ip: string, port: number): Promise<boolean> {
  const beta = demoTarget(c, "beta");
  const r = await nsExchange(c, ip, port, "x", beta.hostname.length + 2, 3_000);
  return r.data.toString() === `${beta.hostname}:x`;
}

/** helm upgrade with these values, then the seconds until `until` holds (polled every 250 ms). */
async function upgradeUntil(c: Cluster, values: string, what: string, until: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  await helm(c, 3, ["upgrade", RELEASE, CHART, "-n", NS, "-f", values]);
  await waitFor(what, 240_000, async () => ((await until()) ? true : undefined), 250);
  return seconds(t0);
}

const podNow = (c: Cluster): Promise<PodStatus> => pod(c, NS, POD);

async function newPodReady(c: Cluster, oldUid: string, timeoutMs = 240_000): Promise<PodStatus> {
  return waitFor(
    "the recreated pod Ready",
    timeoutMs,
    async () => {
      const p = await podNow(c).catch(() => undefined);
      return p && p.metadata.uid !== oldUid && isReady(p) ? p : undefined;
    },
    250,
  );
}

/** One repeat with the kubelet's defaults, in a cluster of its own. */
async function defaultsRepeat(i: number, s: Samples): Promise<void> {
  await withCluster(`d${i}`, undefined, async (c, upSeconds) => {
    s.nodeReady.push(timing(c, "node Ready"));
    s.up.push(upSeconds);
    const { ip, seconds: installS } = await install(c);
    s.install.push(installS);
    const uid = (await podNow(c)).metadata.uid;

    const port = betaPort(2);
    const edit = await upgradeUntil(c, withBetaServices(c, 2), `port ${port} serves`, () => answers(c, ip, port));
    if ((await podNow(c)).metadata.uid !== uid) throw new Error("the service edit restarted the pod");
    s.editDefault.push(edit);

    const removed = await upgradeUntil(
      c,
      c.values ?? "",
      `port ${port} closed`,
      async () => !(await answers(c, ip, port)),
    );
    s.removed.push(removed);

    // A port that no Envoy of this release has had yet (the old pod may still hold 11002's listener until its
    // next sync), so only the new pod's Envoy, or the old one after a ConfigMap sync, can serve it.
    const fresh = betaPort(3);
    const rollout = await upgradeUntil(c, withBetaServices(c, 3, true), `port ${fresh} serves after the rollout`, () =>
      answers(c, ip, fresh),
    );
    s.rollout.push(rollout);
    const servedBy = await podNow(c);
    if (servedBy.metadata.uid === uid) s.rolloutServedByOld++;
    const rolled = await newPodReady(c, uid);

    const t0 = Date.now();
    await c.kubectl(["-n", NS, "delete", "pod", POD, "--wait=false"]);
    await waitFor(
      "the old pod NotReady, its containers running",
      60_000,
      async () => {
        const p = await podNow(c);
        const running = p.status.containerStatuses?.every((x) => x.state.running !== undefined) ?? false;
        if (p.metadata.uid === rolled.metadata.uid && !isReady(p)) {
          if (!running) throw new Error("the old pod's containers stopped before it was seen NotReady");
          return true;
        }
        return undefined;
      },
      100,
    );
    s.notReady.push(seconds(t0));
    await newPodReady(c, rolled.metadata.uid);
    s.newPodReady.push(seconds(t0));
    log(
      `repeat ${i + 1}/${REPEATS} (kubelet defaults): node Ready ${s.nodeReady.at(-1)} s, install ${installS.toFixed(1)} s, ` +
        `edit ${edit.toFixed(1)} s, removed ${removed.toFixed(1)} s, rollout ${rollout.toFixed(1)} s, ` +
        `NotReady ${s.notReady.at(-1)?.toFixed(1)} s, new pod Ready ${s.newPodReady.at(-1)?.toFixed(1)} s`,
    );
  });
}

/** The syncFrequency 5s edits: one cluster, each repeat adds one more service of beta. */
async function fastSync(s: Samples): Promise<void> {
  await withCluster("s", "5s", async (c) => {
    const { ip } = await install(c);
    const uid = (await podNow(c)).metadata.uid;
    for (let i = 0; i < REPEATS; i++) {
      const port = betaPort(2 + i);
      const edit = await upgradeUntil(c, withBetaServices(c, 2 + i), `port ${port} serves`, () => answers(c, ip, port));
      if ((await podNow(c)).metadata.uid !== uid) throw new Error("the service edit restarted the pod");
      s.edit5s.push(edit);
      log(`repeat ${i + 1}/${REPEATS} (syncFrequency 5s): edit ${edit.toFixed(1)} s`);
    }
  });
}

export async function run(): Promise<Section> {
  if (!(REPEATS >= 1)) throw new Error(`BENCH_CLUSTER_REPEATS must be a positive number, not ${REPEATS}`);
  const load0 = loadavg();
  const started = Date.now();
  const s: Samples = {
    nodeReady: [],
    up: [],
    install: [],
    editDefault: [],
    removed: [],
    rollout: [],
    notReady: [],
    newPodReady: [],
    edit5s: [],
    rolloutServedByOld: 0,
  };
  await fastSync(s);
  for (let i = 0; i < REPEATS; i++) await defaultsRepeat(i, s);
  const load1 = loadavg();

  const target = (limit: number) => (v: number) => v <= limit;
  const figures: Figure[] = [
    sampledFigure("node Ready (cluster up)", s.nodeReady, "s", 120, "up's wait for node Ready, 120 s"),
    sampledFigure(
      "cluster up --demo, to ready (node Ready, CoreDNS, the demo tailnets)",
      s.up,
      "s",
      600,
      "up's default wait, 600 s",
    ),
    sampledFigure("helm install --wait, demo release", s.install, "s", 300, "--timeout 5m", target(300)),
    sampledFigure(
      "edit to serving, kubelet defaults (syncFrequency 1m)",
      s.editDefault,
      "s",
      60,
      "the kubelet's syncFrequency, 60 s",
    ),
    sampledFigure("edit to serving, kubelet syncFrequency 5s", s.edit5s, "s", 5, "syncFrequency, 5 s"),
    sampledFigure(
      "edit to serving, envoy.rolloutOnConfigChange: true (kubelet defaults)",
      s.rollout,
      "s",
      DRAIN_S,
      `termination.drainSeconds, ${DRAIN_S} s`,
    ),
    sampledFigure(
      "service removed: upgrade to its port closed (kubelet defaults)",
      s.removed,
      "s",
      60,
      "the kubelet's syncFrequency, 60 s",
    ),
    sampledFigure(
      "drain: pod delete to NotReady (containers still running)",
      s.notReady,
      "s",
      READINESS_PERIOD_S,
      `the readiness probe's period, ${READINESS_PERIOD_S} s`,
    ),
    sampledFigure(
      "drain: pod delete to the new pod Ready",
      s.newPodReady,
      "s",
      DRAIN_S,
      `termination.drainSeconds, ${DRAIN_S} s`,
    ),
  ];
  const fmt = (xs: readonly number[]) => xs.map((x) => x.toFixed(2)).join("/");
  const notes = [
    `Setup: \`tailnet-egress cluster up --demo\` (one real node: kubelet, containerd, runc, CNI bridge, kube-proxy, CoreDNS, all in a network namespace of the run's own; two demo tailnets, each a headscale and a target node), the demo release installed with Helm 3 into a namespace that enforces the restricted Pod Security level (termination.drainSeconds 10, envoy.healthCheck.interval 1s, node state in Secrets). ${REPEATS} repeat(s) with the kubelet's defaults, each in a fresh cluster: install --wait, an upgrade adding one service of tailnet beta (the pod stays), an upgrade removing it, an upgrade adding two services with envoy.rolloutOnConfigChange: true (the pod restarts; timed to the port no Envoy had before), then kubectl delete pod. Before them, one cluster with --sync-frequency 5s: the demo release, then ${REPEATS} upgrades each adding one more service (the pod stays).`,
    "Times: wall clock of this process from the command's start; serving = beta's tagged echo answers byte-exact on the new Service port, from the node through the ClusterIP, polled every 250 ms with a new connection (so about 0.25-0.5 s of resolution); closed = no answer. node Ready is the cluster supervisor's own timing from its start (the control plane, containerd with the images imported, kubelet and kube-proxy started, the Node's Ready condition True), read from the cluster's state; cluster up is this process's wall clock around clusterUp (the network namespace, the supervisor, node Ready, CoreDNS rolled out, the demo tailnets up; images are written only when their inputs changed, so at most the first repeat includes that). NotReady: the pod's Ready condition False while every container still runs (the preStop hooks are in their drain), polled every 100 ms through kubectl.",
    `With envoy.rolloutOnConfigChange the new port was first served by the old pod (its kubelet synced the ConfigMap during the drain) in ${s.rolloutServedByOld} of ${s.rollout.length} repeats; otherwise by the new pod.`,
    `Samples (s): node Ready ${fmt(s.nodeReady)}; cluster up ${fmt(s.up)}; install ${fmt(s.install)}; edit, defaults ${fmt(s.editDefault)}; edit, 5s ${fmt(s.edit5s)}; rollout ${fmt(s.rollout)}; removed ${fmt(s.removed)}; NotReady ${fmt(s.notReady)}; new pod Ready ${fmt(s.newPodReady)}.`,
    `The machine was shared with other work (2 cores): load average (1/5/15 min) before ${fmt(load0)}, after ${fmt(load1)}; the whole run took ${(seconds(started) / 60).toFixed(1)} min. Timings under such load are longer than on an idle node.`,
  ];
  if (REPEATS < 5)
    notes.push(`Only ${REPEATS} repeat(s) (BENCH_CLUSTER_REPEATS): a smoke run, not a measurement; the docs need 5.`);
  return {
    title: "Local cluster: node and kubelet timings",
    command: rerunCommand("cluster", ["BENCH_CLUSTER_REPEATS"]),
    figures,
    notes,
  };
}
