// The chart on a real node: kubelet, containerd, runc, CNI, kube-proxy and CoreDNS in a network namespace of
// the test's own (`tailnet-egress cluster up --demo`), with the chart's default images and two demo tailnets.
// The steps run in order on one release, as a user would take them: install --wait, helm test (and with a
// tailnet broken), traffic through the Service, an upgrade adding and removing services, a pod deletion
// (drain, same node identity), a killed Tailscale container, and the emptyDir variant with Helm 4.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../tools/src/local/cluster/cluster.ts";
import { nsConnect, nsExchange, nsListen, nsProber, useCluster, type ProbeResult } from "../lib/cluster.ts";
import {
  CHART,
  clusterIP,
  containerId,
  containerPid,
  ctr,
  demoTarget,
  demoValues,
  expectEcho,
  healthStatus,
  helm,
  helmTry,
  isReady,
  measured,
  pod,
  restrictedNamespace,
  SOCKET,
} from "../lib/node.ts";
import { childNamed } from "../../tools/src/local/lab/proctree.ts";
import { waitFor } from "../../tools/src/local/lab/procs.ts";

const cluster = useCluster({ prefix: "node", demo: true });
const NS = "egress";
const RELEASE = "egress";
const SVC = `${RELEASE}-tailscale-egress`;
const POD = `${SVC}-0`;
const HEALTH = 10501;
const TEST_HOOK = `${SVC}-test-connection`;
/** A port on alpha's target node with nothing behind it until step 2b listens there. */
const SPARE_PORT = 39001;
// The demo values: alpha's hello and echo on 10000/10001, beta's on 11000/11001.
const PORTS = { alphaHello: 10000, alphaEcho: 10001, betaHello: 11000, betaEcho: 11001 };

describe.sequential("the chart's pod on a real node", () => {
  let ip = "";

  it("1. helm install --wait in a restricted namespace: the pod becomes Ready, every probe passing", async () => {
    const c = cluster();
    await restrictedNamespace(c, NS);
    const t0 = Date.now();
    await helm(c, 3, ["install", RELEASE, CHART, "-n", NS, "-f", c.values ?? "", "--wait", "--timeout", "5m"]);
    measured("helm install --wait (Helm 3, two tailnets) returned after", `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const p = await pod(c, NS, POD);
    expect(isReady(p)).toBe(true);
    const created = Date.parse(p.status.conditions?.find((x) => x.type === "PodScheduled")?.lastTransitionTime ?? "");
    const ready = Date.parse(p.status.conditions?.find((x) => x.type === "Ready")?.lastTransitionTime ?? "");
    measured("pod scheduled to Ready", `${((ready - created) / 1000).toFixed(0)} s (API timestamps, 1 s resolution)`);
    // Every container started and ready, none restarted: the startup probes (and Envoy's readiness and
    // liveness probes) ran against the real containers and passed.
    expect(p.status.containerStatuses?.map((s) => [s.name, s.started, s.ready, s.restartCount])).toEqual([
      ["envoy", true, true, 0],
      ["ts-alpha", true, true, 0],
      ["ts-beta", true, true, 0],
    ]);
    const probes = Object.fromEntries(
      p.spec.containers.map((x) => [x.name, [!!x.startupProbe, !!x.readinessProbe, !!x.livenessProbe]]),
    );
    expect(probes).toEqual({
      envoy: [true, true, true],
      "ts-alpha": [true, false, false],
      "ts-beta": [true, false, false],
    });
    ip = await clusterIP(c, NS, SVC);
    expect(await healthStatus(c, ip, HEALTH, "/ready")).toBe(200);
  });

  it("2. helm test (a Job) passes, fails once naming a broken tailnet's ports while the other's pass, and passes again; so does the Pod form with --logs", async () => {
    const c = cluster();
    await targetsReady(c, ip);
    const pass = await helmTry(c, 3, ["test", RELEASE, "-n", NS]);
    expect(pass.ok, pass.out).toBe(true);
    expect(pass.out).toContain(`TEST SUITE:     ${TEST_HOOK}`);
    expect(pass.out).toContain("Phase:          Succeeded");
    // hook-succeeded: a passing Job is deleted.
    expect(await c.kubectl(["get", "jobs", "-n", NS, "-o", "name"])).toBe("");

    // Break tailnet beta: freeze its container (tailscaled and containerboot stop answering; the
    // container still runs, so the kubelet restarts nothing).
    const id = containerId(await pod(c, NS, POD), "ts-beta");
    await ctr(c, ["task", "pause", id]);
    try {
      await waitFor("/ready/beta fails", 30_000, async () =>
        (await healthStatus(c, ip, HEALTH, "/ready/beta")) === 200 ? undefined : true,
      );
      expect(await healthStatus(c, ip, HEALTH, "/ready/alpha")).toBe(200);
      expect(isReady(await pod(c, NS, POD)), "the pod stays Ready with one tailnet down").toBe(true);
      // The Job fails once (backoffLimit 0): Helm reports it, and the kept Job's log names the ports.
      const fail = await helmTry(c, 3, ["test", RELEASE, "-n", NS]);
      expect(fail.ok, fail.out).toBe(false);
      expect(fail.out).toContain("BackoffLimitExceeded");
      const job = JSON.parse(await c.kubectl(["get", `job/${TEST_HOOK}`, "-n", NS, "-o", "json"])) as {
        status: { failed?: number; succeeded?: number };
      };
      expect(job.status).toMatchObject({ failed: 1 });
      expectBetaNamed(await c.kubectl(["logs", `job/${TEST_HOOK}`, "-n", NS]));

      // tests.kind Pod: the same check as a bare Pod, whose log `helm test --logs` prints. The upgrade changes
      // only the hook, so the pod (and the frozen container) stay.
      await helm(c, 3, ["upgrade", RELEASE, CHART, "-n", NS, "-f", c.values ?? "", "--set", "tests.kind=Pod"]);
      const failPod = await helmTry(c, 3, ["test", RELEASE, "-n", NS, "--logs"]);
      expect(failPod.ok).toBe(false);
      expectBetaNamed(failPod.out);
    } finally {
      await ctr(c, ["task", "resume", id]);
    }
    await waitFor("/ready/beta again", 60_000, async () =>
      (await healthStatus(c, ip, HEALTH, "/ready/beta")) === 200 ? true : undefined,
    );
    // The test also asks each target's health (/ready/<tailnet>/<service>), which Envoy's next health check
    // of that target restores.
    await targetsReady(c, ip);
    const againPod = await helmTry(c, 3, ["test", RELEASE, "-n", NS]);
    expect(againPod.ok, againPod.out).toBe(true);
    await helm(c, 3, ["upgrade", RELEASE, CHART, "-n", NS, "-f", c.values ?? ""]);
    const again = await helmTry(c, 3, ["test", RELEASE, "-n", NS]);
    expect(again.ok, again.out).toBe(true);
    expect(
      await c.kubectl(["get", "jobs,pods", "-n", NS, "-l", "app.kubernetes.io/component=test", "-o", "name"]),
    ).toBe("");
  });

  it("2b. helm test fails naming a service whose target is down and its tailnet, and passes once it answers", async () => {
    const c = cluster();
    const alpha = demoTarget(c, "alpha");
    // A service of tailnet alpha whose target port on alpha's node has nothing behind it: the target check
    // through the tunnel fails (tailscaled answers the CONNECT with an error), while the tailnet is up.
    const spare = demoValues(c, (v) => {
      v.tailnets[0]!.services.push({ name: "alpha-spare", host: alpha.ipv4, port: SPARE_PORT }); // 10002
    });
    await helm(c, 3, ["upgrade", RELEASE, CHART, "-n", NS, "-f", spare, "--wait"]);
    try {
      // The kubelet brings the new Envoy files within its sync period; until then the path is unknown (404).
      await waitFor("/ready/alpha/alpha-spare answers 503", 180_000, async () =>
        (await healthStatus(c, ip, HEALTH, "/ready/alpha/alpha-spare")) === 503 ? true : undefined,
      );
      expect(await healthStatus(c, ip, HEALTH, "/ready/alpha")).toBe(200);
      expect(await healthStatus(c, ip, HEALTH, "/ready/alpha/alpha-echo")).toBe(200);
      // The Job fails once and is kept: its log names the service and its tailnet.
      const fail = await helmTry(c, 3, ["test", RELEASE, "-n", NS]);
      expect(fail.ok, fail.out).toBe(false);
      const log = await c.kubectl(["logs", `job/${TEST_HOOK}`, "-n", NS]);
      const lines = log.split("\n");
      for (const name of ["alpha-hello", "alpha-echo", "beta-hello", "beta-echo"])
        expect(
          lines.some((l) => l.startsWith(`ok    ${name} `)),
          `${name} ok in:\n${log}`,
        ).toBe(true);
      expect(
        lines.some((l) => l.startsWith("FAIL  alpha-spare ") && l.endsWith("(target of alpha/alpha-spare not ready)")),
        `alpha-spare FAIL in:\n${log}`,
      ).toBe(true);
      // The health port counts as a port: 6 in all.
      expect(log).toContain("1 of 6 port(s) failed: alpha/alpha-spare; target(s) not ready: alpha/alpha-spare");

      // The target's port starts to answer: the check passes, and so does helm test.
      const listener = await nsListen(c, SPARE_PORT);
      try {
        await waitFor("/ready/alpha/alpha-spare answers 200", 30_000, async () =>
          (await healthStatus(c, ip, HEALTH, "/ready/alpha/alpha-spare")) === 200 ? true : undefined,
        );
        // A test Job that succeeded is deleted at once (hook-delete-policy), so its log cannot be asked for.
        const again = await helmTry(c, 3, ["test", RELEASE, "-n", NS]);
        expect(again.ok, again.out).toBe(true);
        expect(again.out).toContain("Phase:          Succeeded");
      } finally {
        await listener.stop();
      }
    } finally {
      await helm(c, 3, ["upgrade", RELEASE, CHART, "-n", NS, "-f", c.values ?? "", "--wait"]);
      // The next steps start once Envoy has the files without alpha-spare (the kubelet's sync) and every
      // remaining target has passed its check.
      await waitFor("/ready/alpha/alpha-spare is gone", 180_000, async () =>
        (await healthStatus(c, ip, HEALTH, "/ready/alpha/alpha-spare")) === 404 ? true : undefined,
      );
      await targetsReady(c, ip);
    }
  }, 360_000); // two helm upgrades, each applied at the kubelet's next sync (up to about a minute)

  it("3. from a client pod, every Service port reaches the right target in the right tailnet, byte-exact", async () => {
    const c = cluster();
    const [alpha, beta] = [demoTarget(c, "alpha"), demoTarget(c, "beta")];
    await c.kubectl(["apply", "-n", NS, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "client" },
        spec: {
          terminationGracePeriodSeconds: 1,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "c",
              image: "docker.io/library/busybox:1.37.0",
              imagePullPolicy: "Never",
              command: ["sleep", "3600"],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
          ],
        },
      }),
    });
    await c.kubectl(["-n", NS, "wait", "--for=condition=Ready", "pod/client", "--timeout=120s"], {
      timeoutMs: 130_000,
    });
    const host = `${SVC}.${NS}.svc`; // through CoreDNS and the ClusterIP
    const inClient = (script: string) => c.kubectl(["-n", NS, "exec", "client", "--", "sh", "-c", script]);
    for (const [port, t] of [
      [PORTS.alphaHello, alpha],
      [PORTS.betaHello, beta],
    ] as const) {
      expect(await inClient(`wget -qO- http://${host}:${port}/`)).toBe(
        `hello from ${t.hostname}, through Envoy and Tailscale\n`,
      );
    }
    for (const [port, t] of [
      [PORTS.alphaEcho, alpha],
      [PORTS.betaEcho, beta],
    ] as const) {
      // 256 KiB of random bytes out, "<target>:" + the same bytes back (busybox nc closes on stdin's EOF,
      // so stdin stays open until the reply is in).
      const out = await inClient(
        `head -c 262144 /dev/urandom > /tmp/p; (cat /tmp/p; sleep 4) | nc ${host} ${port} > /tmp/r; ` +
          `{ printf '${t.hostname}:'; cat /tmp/p; } | md5sum; md5sum < /tmp/r; wc -c < /tmp/r`,
      );
      const [want, got, size] = out.trim().split("\n");
      expect(size?.trim(), `${port} reply size`).toBe(String(262144 + t.hostname.length + 1));
      expect(got, `${port} bytes`).toBe(want);
    }
    // And 1 MiB through each echo port from the node, compared byte by byte.
    await expectEcho(c, ip, PORTS.alphaEcho, alpha.hostname, 1 << 20);
    await expectEcho(c, ip, PORTS.betaEcho, beta.hostname, 1 << 20);
  });

  it("4. helm upgrade adds services to the same pod; removing one closes only its port", async () => {
    const c = cluster();
    const [alpha, beta] = [demoTarget(c, "alpha"), demoTarget(c, "beta")];
    const before = await pod(c, NS, POD);
    // An open connection on a port that stays: it must carry bytes exactly through both edits.
    const long = nsConnect(c, ip, PORTS.alphaEcho, 600_000);
    const roundTrip = async (text: string): Promise<void> => {
      const seen = (await long.waitBytes(0)).length;
      long.write(text);
      const got = await long.waitBytes(seen + text.length + (seen === 0 ? alpha.hostname.length + 1 : 0));
      expect(got.subarray(got.length - text.length).toString()).toBe(text);
    };
    await roundTrip("before the upgrade\n");

    const added = demoValues(c, (v) => {
      v.tailnets[0]!.services.push({ name: "alpha-to-beta", host: beta.ipv4, port: beta.port }); // 10002
      v.tailnets[1]!.services.push({ name: "beta-more", host: beta.ipv4, port: beta.port }); // 11002
    });
    const t0 = Date.now();
    await helm(c, 3, ["upgrade", RELEASE, CHART, "-n", NS, "-f", added, "--wait"]);
    const served = await waitFor(
      "the new port 11002 serves",
      180_000,
      async () => {
        const r = await nsConnectOnce(c, ip, 11002, "x", `${beta.hostname}:x`);
        return r === `${beta.hostname}:x` ? true : undefined;
      },
      500,
    );
    measured(
      "service added: helm upgrade to the new port serving, kubelet default syncFrequency",
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(served).toBe(true);
    // A port of tailnet alpha cannot reach a host that only tailnet beta has: no bytes, closed.
    expect(await nsConnectOnce(c, ip, 10002, "hello?")).toBe("");
    const after = await pod(c, NS, POD);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.status.containerStatuses?.map((s) => s.restartCount)).toEqual([0, 0, 0]);
    await roundTrip("after adding services\n");

    const t1 = Date.now();
    await helm(c, 3, ["upgrade", RELEASE, CHART, "-n", NS, "-f", c.values ?? "", "--wait"]);
    await waitFor(
      "port 11002 closes",
      180_000,
      async () => ((await nsConnectOnce(c, ip, 11002, "x")) === "" ? true : undefined),
      500,
    );
    measured("service removed: helm upgrade to its port closed", `${((Date.now() - t1) / 1000).toFixed(1)} s`);
    await roundTrip("after removing services\n");
    expect((await pod(c, NS, POD)).metadata.uid).toBe(before.metadata.uid);
    long.kill();
  });

  it("5. kubectl delete pod: readiness drops first, an open connection completes in the drain, the same node returns", async () => {
    const c = cluster();
    const alpha = demoTarget(c, "alpha");
    const identity = async () =>
      Promise.all(
        ["ts-alpha", "ts-beta"].map(async (ctn) => {
          const st = JSON.parse(
            await c.kubectl([
              "-n",
              NS,
              "exec",
              POD,
              "-c",
              ctn,
              "--",
              "tailscale",
              `--socket=${SOCKET}`,
              "status",
              "--json",
            ]),
          ) as { Self: { PublicKey: string; TailscaleIPs: string[] } };
          return [st.Self.PublicKey, st.Self.TailscaleIPs];
        }),
      );
    const idBefore = await identity();
    const old = await pod(c, NS, POD);
    const long = nsConnect(c, ip, PORTS.alphaEcho, 120_000);
    long.write("1");
    await long.waitBytes(alpha.hostname.length + 2);

    const t0 = Date.now();
    await c.kubectl(["-n", NS, "delete", "pod", POD, "--wait=false"]);
    // Readiness drops while every container still runs (the preStop hooks are in their drain).
    const notReady = await waitFor(
      "the old pod NotReady",
      20_000,
      async () => {
        const p = await pod(c, NS, POD);
        return p.metadata.uid === old.metadata.uid && !isReady(p) ? p : undefined;
      },
      100,
    );
    expect(notReady.status.containerStatuses?.every((s) => s.state.running !== undefined)).toBe(true);
    measured("pod delete to NotReady (containers still running)", `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Inside the drain window (termination.drainSeconds: 10 in the demo values), the open connection still
    // carries bytes both ways.
    long.write("2345");
    const got = await long.waitBytes(alpha.hostname.length + 6, 5_000);
    expect(got.toString()).toBe(`${alpha.hostname}:12345`);
    long.end();
    const end = await long.done;
    measured("drain: open connection", `byte-exact at +${((Date.now() - t0) / 1000).toFixed(1)} s after the delete`);
    expect(end.data.toString()).toBe(`${alpha.hostname}:12345`);

    const back = await waitFor(
      "the recreated pod Ready",
      240_000,
      async () => {
        const p = await pod(c, NS, POD).catch(() => undefined);
        return p && p.metadata.uid !== old.metadata.uid && isReady(p) ? p : undefined;
      },
      500,
    );
    measured("pod delete to the new pod Ready", `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(back.status.containerStatuses?.map((s) => s.restartCount)).toEqual([0, 0, 0]);
    // Node state lives in the chart's Secrets through the real API (projected token, the chart's Role).
    expect(await identity()).toEqual(idBefore);
    // The new pod's Envoy serves a port once its target's first check passed (envoy.targetCheck).
    await targetsReady(c, ip);
    await expectEcho(c, ip, PORTS.alphaEcho, alpha.hostname);
  });

  it("6. one tailnet's process killed: restarted in its container, the other tailnet serves throughout", async () => {
    const c = cluster();
    const before = await pod(c, NS, POD);
    const shell = await containerPid(c, before, "ts-beta");
    const killed = childNamed(shell, "containerboot");
    // Restarted = a new containerboot (another PID) below the same container's first process.
    const run = await killBeta(c, ip, "ts-beta's containerboot", killed, async () => {
      const now = childNamed(shell, "containerboot");
      return now !== killed ? now : undefined;
    });
    expect(run.restartedAs).not.toBe(killed);
    expect(fs.existsSync(`/proc/${killed}`), "the killed containerboot is gone").toBe(false);
    expect(await containerPid(c, await pod(c, NS, POD), "ts-beta"), "the same container").toBe(shell);
    expectAlphaThroughout(run);
    const after = await pod(c, NS, POD);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(isReady(after)).toBe(true);
    // The loop restarted containerboot inside the container: the kubelet restarted nothing.
    expect(after.status.containerStatuses?.map((s) => s.restartCount)).toEqual([0, 0, 0]);
  });

  it("6b. the whole Tailscale container killed: the kubelet restarts it, the other tailnet serves throughout", async () => {
    const c = cluster();
    const before = await pod(c, NS, POD);
    const run = await killBeta(c, ip, "the ts-beta container", await containerPid(c, before, "ts-beta"), async () => {
      const s = (await pod(c, NS, POD)).status.containerStatuses?.find((x) => x.name === "ts-beta");
      return s && s.restartCount === 1 && s.ready ? await containerPid(c, await pod(c, NS, POD), "ts-beta") : undefined;
    });
    // Kubernetes made the pod NotReady while ts-beta restarted; with one replica the Service keeps it
    // (service.publishNotReadyAddresses), so alpha's port never noticed.
    expect(run.sawNotReady).toBe(true);
    expectAlphaThroughout(run);
    expect((await pod(c, NS, POD)).metadata.uid).toBe(before.metadata.uid);
  });

  it("7. Helm 4, tailscale.state emptyDir with a reusable key: install --wait, helm test, traffic", async () => {
    const c = cluster();
    const alpha = demoTarget(c, "alpha");
    const ns = await restrictedNamespace(c, "egress4");
    const values = demoValues(c, (v) => {
      v.tailscale.state = "emptyDir";
    });
    const t0 = Date.now();
    await helm(c, 4, ["install", RELEASE, CHART, "-n", ns, "-f", values, "--wait", "--timeout", "5m"]);
    measured("helm install --wait (Helm 4, emptyDir)", `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const p = await pod(c, ns, POD);
    expect(isReady(p)).toBe(true);
    await targetsReady(c, await clusterIP(c, ns, SVC));
    const test = await helmTry(c, 4, ["test", RELEASE, "-n", ns]);
    expect(test.ok, test.out).toBe(true);
    await expectEcho(c, await clusterIP(c, ns, SVC), PORTS.alphaEcho, alpha.hostname);
    await helm(c, 4, ["uninstall", RELEASE, "-n", ns, "--wait"]);
  });
});

/** Waits until Envoy reports every demo service's target healthy (/ready/<tailnet>/<service>, what the test asks). */
async function targetsReady(c: Cluster, ip: string): Promise<void> {
  for (const path of ["alpha/alpha-hello", "alpha/alpha-echo", "beta/beta-hello", "beta/beta-echo"])
    await waitFor(`/ready/${path}`, 60_000, async () =>
      (await healthStatus(c, ip, HEALTH, `/ready/${path}`)) === 200 ? true : undefined,
    );
}

/** The check's output with tailnet beta frozen: alpha's ports pass, beta's fail without a connection, named. */
function expectBetaNamed(out: string): void {
  const lines = out.split("\n");
  for (const name of ["alpha-hello", "alpha-echo"])
    expect(
      lines.some((l) => l.startsWith(`ok    ${name} `)),
      `${name} ok in:\n${out}`,
    ).toBe(true);
  for (const name of ["beta-hello", "beta-echo"])
    expect(
      lines.some((l) => l.startsWith(`FAIL  ${name} `) && l.endsWith("(tailnet beta not ready)")),
      `${name} FAIL in:\n${out}`,
    ).toBe(true);
  expect(out).toContain("tailnet(s) not ready: beta");
}

interface KillRun {
  /** alpha's connections: every one tried from before the kill until 2 s after beta served again. */
  probes: ProbeResult[];
  killedAt: number;
  servedAt: number;
  /** What `restarted` returned: the restarted process's PID. */
  restartedAs: number;
  sawNotReady: boolean;
}

/**
 * Kills a process of ts-beta while alpha's echo port takes a new connection every 200 ms and the pod's
 * readiness is watched. Waits for `restarted` (a new PID), then for Envoy's /ready/beta to have failed since
 * the kill (so beta's outage was seen: a check of beta before that could pass on the old process), then for
 * beta to serve again; reports alpha's connections and whether the pod was seen NotReady.
 */
async function killBeta(
  c: Cluster,
  ip: string,
  what: string,
  pid: number,
  restarted: () => Promise<number | undefined>,
): Promise<KillRun> {
  const [alpha, beta] = [demoTarget(c, "alpha"), demoTarget(c, "beta")];
  // Every target checked healthy first (after step 5's new pod, or 6's restart), so alpha's port serves from the start.
  await targetsReady(c, ip);
  const prober = nsProber(c, ip, PORTS.alphaEcho, "x", `${alpha.hostname}:x`);
  await prober.started();
  let watching = true;
  let sawNotReady = false;
  let betaFailed = false;
  let killedAt = 0;
  const watcher = (async () => {
    while (watching) {
      if (!isReady(await pod(c, NS, POD))) sawNotReady = true;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const betaWatcher = (async () => {
    while (watching) {
      const since = Date.now();
      if ((await healthStatus(c, ip, HEALTH, "/ready/beta")) !== 200 && killedAt && since >= killedAt)
        betaFailed = true;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  killedAt = Date.now();
  process.kill(pid, "SIGKILL");
  try {
    const restartedAs = await waitFor(`${what} restarted`, 60_000, restarted);
    await waitFor("/ready/beta seen failing since the kill", 30_000, async () => (betaFailed ? true : undefined));
    await waitFor("beta serves again", 60_000, async () =>
      (await healthStatus(c, ip, HEALTH, "/ready/beta")) === 200 &&
      (await nsConnectOnce(c, ip, PORTS.betaEcho, "y", `${beta.hostname}:y`)) === `${beta.hostname}:y`
        ? true
        : undefined,
    );
    const servedAt = Date.now();
    measured(`${what} killed to beta serving again`, `${((servedAt - killedAt) / 1000).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 2_000));
    const probes = await prober.stop();
    const failed = probes.filter((r) => !r.ok);
    if (failed.length) console.log(`failed connections to ${ip}:${PORTS.alphaEcho}: ${JSON.stringify(failed)}`);
    measured(`alpha connections failed while ${what} restarted`, `${failed.length} of ${probes.length}`);
    measured(`pod seen NotReady while ${what} restarted`, String(sawNotReady));
    return { probes, killedAt, servedAt, restartedAs, sawNotReady };
  } finally {
    watching = false;
    await Promise.all([watcher, betaWatcher]);
    await prober.stop();
  }
}

/** alpha served every connection tried from before the kill until after beta served again, one every 200 ms. */
function expectAlphaThroughout(run: KillRun): void {
  const { probes, killedAt, servedAt } = run;
  expect(probes.filter((r) => !r.ok)).toEqual([]);
  expect(probes[0]!.at, "a connection before the kill").toBeLessThan(killedAt);
  expect(probes.at(-1)!.at, "a connection after beta served again").toBeGreaterThan(servedAt);
  // At least one connection per second of the window (the prober aims at five).
  expect(probes.length).toBeGreaterThanOrEqual(Math.floor((servedAt - killedAt) / 1000) + 2);
}

/** One short exchange: send text, and what came back ("" when the port closed or never answered). */
async function nsConnectOnce(c: Cluster, host: string, port: number, text: string, expect?: string): Promise<string> {
  return (await nsExchange(c, host, port, text, (expect ?? text).length, 5_000)).data.toString();
}
