// What the real containerboot (v1.102.5) does when it must keep node state in a Secret
// (TS_KUBE_SECRET) but the Kubernetes API is out of reach: its token is denied (a ServiceAccount with
// no Role; a token the API does not accept), there is no token at all (no service-account directory),
// or the API server is stopped or answers nothing. Each case runs containerboot in the lab sandbox
// against the real control plane and a real headscale, and records whether it exits, its exit code,
// its log lines, how long it took, and whether the node registered. The docs/f5xc.md "Node state when the
// Kubernetes API is out of reach" quotes these results.
import fs from "node:fs";
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnd, stopwatch } from "./suite.ts";
import {
  connectThroughProxy,
  freeTcpPort,
  freeTcpPorts,
  onCleanup,
  requireBinaries,
  taggedReply,
} from "../../tools/src/local/lab/index.ts";
import {
  startContainerboot,
  startHeadscale,
  startTarget,
  type Containerboot,
  type ExitInfo,
  type Headscale,
  type Target,
} from "../../tools/src/local/lab/index.ts";
import { descendantNamed, descendantsNamed } from "../../tools/src/local/lab/proctree.ts";
import { renderValues } from "../../tools/src/local/pod/demo.ts";
import { readPod, remapPodForLocalRun } from "../../tools/src/local/pod/spec.ts";
import {
  applyInto,
  restrictedNamespace,
  serviceAccountAccess,
  type PodKubeAccess,
} from "../../tools/src/local/kube/access.ts";
import { useControlPlane } from "../lib/kube.ts";

const cp = useControlPlane("kube-unreachable");
const { timings, timed } = stopwatch();

const SECRET = "egress-0-corp-state";
/** The chart's pod whose state Secret exists and may be used (pod "chart-ok", tailnet "corp"). */
const CHART_SECRET = "chart-ok-corp-state";
const RESTART_LINE = /^ts-corp: containerboot exited.*$/gm;
const KUBE_LINE =
  /^ts-corp: node state in Secret (\S+) via the Kubernetes API \(tailscale\.state: kubeSecret\)\. If containerboot exits below, unable to reach the API or denied by it, set tailscale\.state: emptyDir and use a reusable, ephemeral auth key \(or oauth\)\.$/gm;
const FALLBACK_LINE =
  /^ts-corp: no Kubernetes API token: node state stays in the pod \(\/var\/run\/tailscale\), not in Secret (\S+), as with tailscale\.state: emptyDir\. Every pod restart registers the node again: use a reusable, ephemeral auth key \(or oauth\)\.$/gm;

interface Outcome {
  exit: ExitInfo | undefined;
  ms: number;
  log: string;
  registered: boolean;
}

describe("containerboot with kube state when the API is out of reach", () => {
  let hs: Headscale;
  let target: Target;
  let allowed: PodKubeAccess;
  let noRole: PodKubeAccess;
  let ns: string;
  let n = 0;

  beforeAll(async () => {
    requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
    ns = await restrictedNamespace(cp(), "unreach");
    await applyInto(cp(), ns, [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "egress" } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "no-role" } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: SECRET }, type: "Opaque" },
      { apiVersion: "v1", kind: "Secret", metadata: { name: CHART_SECRET }, type: "Opaque" },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "egress" },
        rules: [
          {
            apiGroups: [""],
            resources: ["secrets"],
            resourceNames: [SECRET, CHART_SECRET],
            verbs: ["get", "update", "patch"],
          },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "egress" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "egress" },
        subjects: [{ kind: "ServiceAccount", name: "egress", namespace: ns }],
      },
    ]);
    [allowed, noRole, hs] = await Promise.all([
      serviceAccountAccess(cp(), ns, "egress"),
      serviceAccountAccess(cp(), ns, "no-role"),
      startHeadscale({ name: "corp" }),
    ]);
    target = await startTarget({ hostname: "target", headscale: hs });
  }, 180_000);

  cleanEnd("kube-unreachable", timings);

  /** Starts containerboot as the chart's container would (kube state), waits for it to exit or for
   * `waitMs`, and reports. A still-running containerboot is stopped afterwards. */
  async function attempt(
    label: string,
    kube: PodKubeAccess,
    opts: { mountServiceAccount?: boolean; waitMs?: number } = {},
  ): Promise<Outcome> {
    const hostname = `egress-${label}`;
    const t0 = Date.now();
    const cb = await startContainerboot({
      name: `ts-${label}-${n++}`,
      kube,
      waitReady: false,
      ...(opts.mountServiceAccount === undefined ? {} : { mountServiceAccount: opts.mountServiceAccount }),
      env: {
        TS_USERSPACE: "true",
        TS_AUTHKEY: hs.authKey,
        TS_AUTH_ONCE: "true",
        TS_HOSTNAME: hostname,
        TS_EXTRA_ARGS: `--login-server=${hs.url}`,
        TS_KUBE_SECRET: SECRET,
        TS_STATE_DIR: "/tmp/state",
        TS_SOCKET: "/tmp/tailscaled.sock",
        TS_OUTBOUND_HTTP_PROXY_LISTEN: `127.0.0.1:${await freeTcpPort()}`,
        TS_ENABLE_HEALTH_CHECK: "true",
        TS_LOCAL_ADDR_PORT: `127.0.0.1:${await freeTcpPort()}`,
        TS_ACCEPT_DNS: "false",
      },
    });
    const exit = await timed(label, () =>
      Promise.race([
        cb.proc().exited,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), opts.waitMs ?? 30_000)),
      ]),
    );
    const ms = Date.now() - t0;
    if (exit === undefined) await cb.stop(10_000);
    const registered = (await hs.nodes()).some((node) => node.name === hostname);
    const log = cb.proc().log();
    console.log(
      `[${label}] exit=${JSON.stringify(exit)} after ${ms} ms, registered=${registered}\n${log
        .split("\n")
        .filter((l) => l.includes("boot:"))
        .join("\n")}`,
    );
    return { exit, ms, log, registered };
  }

  it("a ServiceAccount without a Role: exits 1 at once, naming the missing get and update permissions", async () => {
    const r = await attempt("no-role", noRole);
    expect(r.exit).toEqual({ code: 1, signal: null });
    expect(r.ms).toBeLessThan(10_000);
    expect(r.log).toMatch(
      /error setting up for running on Kubernetes: some Kubernetes permissions are missing, please check your RBAC configuration: missing get permission on secret "egress-0-corp-state"\s+missing update permission on secret "egress-0-corp-state"/,
    );
    expect(r.log).not.toMatch(/Starting tailscaled/);
    expect(r.registered).toBe(false);
  }, 60_000);

  it("a token the API does not accept (401): exits 1 at once, with Unauthorized", async () => {
    const bad = await serviceAccountAccess(cp(), ns, "egress");
    fs.writeFileSync(`${bad.serviceAccountDir}/token`, "not-a-token");
    const r = await attempt("bad-token", bad);
    expect(r.exit).toEqual({ code: 1, signal: null });
    expect(r.ms).toBeLessThan(10_000);
    expect(r.log).toMatch(/error checking get permission on secret egress-0-corp-state: Unauthorized/);
    expect(r.log).toMatch(
      /error setting up for running on Kubernetes: getting Tailscale state Secret egress-0-corp-state: Unauthorized/,
    );
    expect(r.registered).toBe(false);
  }, 60_000);

  it("no service-account directory (KUBERNETES_SERVICE_HOST set): exits 1 at once, no such file", async () => {
    const r = await attempt("no-token", allowed, { mountServiceAccount: false });
    expect(r.exit).toEqual({ code: 1, signal: null });
    expect(r.ms).toBeLessThan(10_000);
    expect(r.log).toMatch(
      /error initializing kube client: error creating kube client: open \/var\/run\/secrets\/kubernetes.io\/serviceaccount\/namespace: no such file or directory/,
    );
    expect(r.registered).toBe(false);
  }, 60_000);

  it("control: with its Role the same containerboot registers the node and fills the Secret", async () => {
    const r = await attempt("allowed", allowed, { waitMs: 20_000 });
    expect(r.exit, "still running after 20 s").toBeUndefined();
    expect(r.registered).toBe(true);
    expect(Object.keys((await allowed.secretData(SECRET)) ?? {})).toEqual(
      expect.arrayContaining(["_machinekey", "device_id"]),
    );
  }, 60_000);

  /** The chart's Tailscale container as rendered with tailscale.state: kubeSecret (its /bin/sh wrapper,
   * env and uid), for pod `podName`, started in the sandbox against `kube`; not waited for. */
  async function startRendered(
    podName: string,
    kube: PodKubeAccess,
    mountServiceAccount: boolean,
  ): Promise<Containerboot> {
    const m = await renderValues({
      tailscale: { tags: [], state: "kubeSecret" },
      tailnets: [{ name: "corp", authKey: hs.authKey, loginServer: hs.url, services: [{ host: "target", port: 1 }] }],
    });
    const rendered = readPod(m, { podName });
    const [proxy, local] = await freeTcpPorts(2);
    const [c] = remapPodForLocalRun(rendered, {
      ports: new Map([
        [10550, proxy!],
        [10700, local!],
      ]),
    }).tailscale;
    if (!c?.command || !c.kubeApi) throw new Error("the rendered container has no kube-state wrapper");
    return startContainerboot({
      name: `chart-${podName}`,
      env: c.env,
      command: c.command,
      kube,
      mountServiceAccount,
      volumes: c.mounts,
      ...(c.runAs ? { runAs: c.runAs } : {}),
      waitReady: false,
    });
  }

  /** Waits until the chart's loop has said `times` times that containerboot exited 1 and will be started
   * again (1 s, then 2 s), while the container keeps running; returns the log. */
  async function retried(cb: Containerboot, times: number): Promise<string> {
    const lines = (): string[] => cb.proc().log().match(RESTART_LINE) ?? [];
    const deadline = Date.now() + 30_000;
    while (lines().length < times) {
      if (!cb.proc().running()) throw new Error(`the container exited:\n${cb.proc().log()}`);
      if (Date.now() > deadline) throw new Error(`no ${times} restarts in 30 s:\n${cb.proc().log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(lines().slice(0, times)).toEqual(
      [1, 2, 4]
        .slice(0, times)
        .map(
          (d) => `ts-corp: containerboot exited (code 1); restarting it in ${d}s; the other tailnets are not affected`,
        ),
    );
    expect(cb.proc().running()).toBe(true);
    return cb.proc().log();
  }

  it("chart, no token mounted: one line, state in the pod, the node registers and serves", async () => {
    const t0 = Date.now();
    const cb = await startRendered("chart-notoken", allowed, false);
    await cb.waitReady(90_000);
    const readyMs = Date.now() - t0;
    const log = cb.proc().log();
    console.log(
      `[chart-notoken] ready after ${readyMs} ms\n${log
        .split("\n")
        .filter((l) => l.startsWith("ts-") || l.includes("boot:"))
        .slice(0, 6)
        .join("\n")}`,
    );
    const lines = [...log.matchAll(FALLBACK_LINE)];
    expect(lines.map((l) => l[1])).toEqual(["chart-notoken-corp-state"]);
    expect(log).not.toMatch(KUBE_LINE);
    expect(log).not.toMatch(/kube client|error setting up for running on Kubernetes/);
    // The chart's loop is PID 1 of the container and runs containerboot as its child.
    const boot = descendantNamed(cb.proc().pid, "containerboot");
    const status = (pid: number): string => fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const loop = Number(status(boot).match(/^PPid:\s+(\d+)$/m)?.[1]);
    expect(status(loop)).toMatch(/^NSpid:\s+\d+\s+1$/m);
    expect([...descendantsNamed(cb.proc().pid, "sh"), ...descendantsNamed(cb.proc().pid, "dash")]).toEqual([loop]);
    expect(fs.readdirSync(cb.hostPath("/var/run/tailscale"))).toContain("tailscaled.state");
    expect((await hs.nodes()).map((node) => node.name)).toContain("chart-notoken-corp");
    const payload = Buffer.from("through the fallback");
    const r = await connectThroughProxy({
      proxyPort: cb.proxyPort ?? -1,
      target: `${target.magicDNSName}:${target.port}`,
      payload,
      expectBytes: taggedReply("target", payload).length,
    });
    expect(r.status).toBe(200);
    expect(r.body.equals(taggedReply("target", payload))).toBe(true);
    // SIGTERM reaches containerboot (through the loop too), which shuts tailscaled down; the loop exits 0.
    const exit = await cb.stop(20_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(cb.proc().log()).toMatch(/Sending SIGTERM to tailscaled/);
    expect(await allowed.secretNames()).not.toContain("chart-notoken-corp-state");
  }, 120_000);

  it("chart, token denied (no Role): the line names tailscale.state: emptyDir, containerboot exits 1 and the loop retries", async () => {
    const cb = await startRendered("chart-denied", noRole, true);
    const log = await retried(cb, 2);
    console.log(
      `[chart-denied]\n${log
        .split("\n")
        .filter((l) => l.startsWith("ts-") || l.includes("boot:"))
        .join("\n")}`,
    );
    expect([...log.matchAll(KUBE_LINE)].map((l) => l[1])).toEqual(["chart-denied-corp-state"]);
    expect(log.indexOf("tailscale.state: emptyDir")).toBeLessThan(
      log.indexOf("some Kubernetes permissions are missing"),
    );
    expect(log.match(/some Kubernetes permissions are missing/g)).toHaveLength(2);
    expect((await hs.nodes()).map((node) => node.name)).not.toContain("chart-denied-corp");
    expect(await cb.stop(10_000)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("chart, token allowed: the same line, and state goes to the Secret", async () => {
    const cb = await startRendered("chart-ok", allowed, true);
    await cb.waitReady(90_000);
    expect([...cb.proc().log().matchAll(KUBE_LINE)].map((l) => l[1])).toEqual([CHART_SECRET]);
    expect(Object.keys((await allowed.secretData(CHART_SECRET)) ?? {})).toEqual(
      expect.arrayContaining(["_machinekey", "device_id"]),
    );
    expect((await hs.nodes()).map((node) => node.name)).toContain("chart-ok-corp");
    await cb.stop(20_000);
  }, 120_000);

  // Last: these stop the control plane of this file.
  it("the API server stopped (nothing listening): exits 1 at once, connection refused", async () => {
    await cp().stop();
    const r = await attempt("api-stopped", allowed);
    expect(r.exit).toEqual({ code: 1, signal: null });
    expect(r.ms).toBeLessThan(10_000);
    expect(r.log).toMatch(
      /error setting up for running on Kubernetes: getting Tailscale state Secret egress-0-corp-state: .*connect: connection refused/,
    );
    expect(r.registered).toBe(false);
  }, 60_000);

  it("chart, API server stopped: the line names tailscale.state: emptyDir, containerboot exits 1 and the loop retries", async () => {
    const cb = await startRendered("chart-stopped", allowed, true);
    const log = await retried(cb, 2);
    expect([...log.matchAll(KUBE_LINE)].map((l) => l[1])).toEqual(["chart-stopped-corp-state"]);
    expect(log).toMatch(/connection refused/);
    expect(await cb.stop(10_000)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("an API address that accepts and never answers: waits for its 60 s boot timeout, then exits 1", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => (sockets.add(s), s.on("error", () => undefined)));
    await new Promise<void>((resolve, reject) => silent.once("error", reject).listen(443, allowed.host, resolve));
    const close = (): Promise<void> => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => silent.close(() => r()));
    };
    const handle = onCleanup("silent api", close);
    try {
      const r = await attempt("api-silent", allowed, { waitMs: 90_000 });
      expect(r.exit).toEqual({ code: 1, signal: null });
      expect(r.ms).toBeGreaterThan(55_000);
      expect(r.ms).toBeLessThan(75_000);
      expect(r.log).toMatch(/context deadline exceeded/);
      expect(r.registered).toBe(false);
    } finally {
      await close();
      handle.release();
    }
  }, 120_000);
});
