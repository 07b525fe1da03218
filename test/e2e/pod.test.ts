// The pod, run for real, with the runtime checks of the edge settings. Two independent tailnets from the lab
// (a headscale and a target node each); values with their real login servers and pre-auth keys, rendered by
// Helm; the rendered pod run by the harness (tools/src/local/pod): Envoy with the ConfigMap's files and one real
// containerboot per tailnet with the rendered env/command, as uid 65532. Envoy's 0.0.0.0 listeners bind
// the "pod IP", the host end of a veth pair to a network namespace of this test, the non-loopback vantage.
import crypto from "node:crypto";
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnd, stopwatch } from "./suite.ts";
import { podTemplate, servicePorts, type Manifest } from "../../tools/src/helm/manifests.ts";
import { LDS_FILE } from "../../tools/src/plan/envoy.ts";
import {
  descendantsNamed,
  isListening,
  requireBinaries,
  startHeadscale,
  startTarget,
  taggedReply,
  type Headscale,
  type Target,
} from "../../tools/src/local/lab/index.ts";
import { startEchoServer } from "../../tools/src/local/lab/echo.ts";
import { renderValues } from "../../tools/src/local/pod/demo.ts";
import { openConn, startVantage, tcpExchange, type Vantage } from "../../tools/src/local/pod/net.ts";
import { adminPortOf, startPod, tailnetClusters, waitHealthy, type RunningPod } from "../../tools/src/local/pod/pod.ts";
import { podKubeAccess } from "../../tools/src/local/kube/access.ts";
import { useControlPlane } from "../lib/kube.ts";

const { timings, timed } = stopwatch();
/** Tailnet a's services aimed at a host only tailnet b has: their target checks never pass. */
const ISOLATED = ["a_a-iso-dns", "a_a-iso-ip"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

const DRAIN_S = 4;
const payload = crypto.randomBytes(3000);

const cp = useControlPlane("pod");

describe("the pod, run for real from the rendered manifests", () => {
  let hsA: Headscale, hsB: Headscale, tA: Target, tB: Target;
  let altPort: number;
  let vantage: Vantage;
  let pod: RunningPod;
  /** Tailnet a's checked clusters that must come back up: its health cluster and its reachable services'. */
  const aClustersUp = (): string[] => tailnetClusters(pod.local.envoy.files, "a").filter((c) => !ISOLATED.includes(c));
  let m1: Manifest[];
  /** Service port name -> what must answer: a tag (tagged echo), "exact" (plain echo) or "none" (isolation). */
  let expect1: Record<string, string>;

  const values = (phase: 1 | 2) => ({
    tailscale: { tags: [], state: "kubeSecret" },
    termination: { drainSeconds: DRAIN_S },
    envoy: { healthCheck: { interval: "1s" }, connectTimeout: "3s" },
    tailnets: [
      {
        name: "a",
        authKey: hsA.authKey,
        loginServer: hsA.url,
        services: [
          { name: "a-dns", host: tA.magicDNSName, port: tA.port },
          { name: "a-ip4", host: tA.ipv4, port: phase === 1 ? tA.port : altPort },
          ...(tA.ipv6 ? [{ name: "a-ip6", host: tA.ipv6, port: tA.port }] : []),
          { name: "a-iso-dns", host: tB.magicDNSName, port: tB.port },
          { name: "a-iso-ip", host: tB.ipv4, port: tB.port },
          { name: "a-long", host: tA.magicDNSName, port: tA.exactPort },
        ],
      },
      {
        name: "b",
        authKey: hsB.authKey,
        loginServer: hsB.url,
        services: [
          ...(phase === 1 ? [{ name: "b-old", host: tB.magicDNSName, port: tB.port }] : []),
          { name: "b-pin", host: tB.ipv4, port: tB.port, listenPort: 11500 },
          ...(phase === 2 ? [{ name: "b-new", host: tB.magicDNSName, port: tB.exactPort }] : []),
        ],
      },
    ],
  });

  const portOf = (m: Manifest[], name: string): number => {
    const p = servicePorts(m).find((s) => s.name === name);
    if (!p) throw new Error(`no service port ${name}`);
    return p.port;
  };
  /** Rendered service port -> the local port it runs on. */
  const local = (rendered: number): number => pod.port(rendered);
  const check = async (port: number, want: string): Promise<void> => {
    const reply = want === "exact" ? payload : taggedReply(want, payload);
    const r = await tcpExchange(pod.podIP, local(port), payload, reply.length);
    expect(r.data.subarray(0, 16).toString("latin1"), `port ${port} (${want}): ended=${r.ended}`).toBe(
      reply.subarray(0, 16).toString("latin1"),
    );
    expect(r.data.equals(reply), `port ${port}: ${r.data.length} bytes, byte-exact`).toBe(true);
  };
  const refusedOrClosed = async (port: number, timeoutMs: number): Promise<void> => {
    const r = await tcpExchange(pod.podIP, local(port), payload, 1, timeoutMs);
    expect(r.data.length, `port ${port} answered ${r.data.subarray(0, 20).toString()}`).toBe(0);
    expect(["closed", "error"], `port ${port} hung (${r.elapsedMs} ms)`).toContain(r.ended);
  };
  /** Waits until each named service of tailnet a has its target marked up (/ready/a/<service> 200), as a new
   * connection needs: a target check that failed once (CPU load, the restarted tailnet a) refuses new connections
   * until its next check passes. Logs how long that took when it was not at once. */
  const aTargetsUp = async (...services: string[]): Promise<void> => {
    const t0 = Date.now();
    for (const svc of services)
      await until(`/ready/a/${svc} is 200`, 30_000, async () =>
        (await health(`/ready/a/${svc}`)) === 200 ? true : undefined,
      );
    if (Date.now() - t0 > 100) console.log(`targets of a (${services.join(", ")}) up after ${Date.now() - t0} ms`);
  };
  const health = async (path: string): Promise<number> =>
    (await fetch(`http://${pod.podIP}:${local(pod.rendered.envoy.probes[0]!.port)}${path}`).catch(() => undefined))
      ?.status ?? 0;
  const ldsVersion = async (): Promise<string> => {
    const dump = (await (await fetch(`${pod.envoy.adminUrl}/config_dump?resource=dynamic_listeners`)).json()) as {
      configs: { active_state?: { version_info?: string } }[];
    };
    return [...new Set(dump.configs.map((c) => c.active_state?.version_info ?? ""))].sort().join(",");
  };

  beforeAll(async () => {
    requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
    await timed("setup total", async () => {
      vantage = startVantage();
      [hsA, hsB] = await timed("2x headscale", () =>
        Promise.all([startHeadscale({ name: "a" }), startHeadscale({ name: "b" })]),
      );
      [tA, tB] = await timed("2x target", () =>
        Promise.all([
          startTarget({ hostname: "target-a", headscale: hsA }),
          startTarget({ hostname: "target-b", headscale: hsB }),
        ]),
      );
      altPort = (await startEchoServer({ tag: "target-a-alt" })).port;
      m1 = await timed("helm template", () => renderValues(values(1)));
      const kube = await timed("kube access", () => podKubeAccess(cp(), m1, "pod"));
      pod = await timed("pod start", () =>
        startPod(m1, {
          ports: "free",
          podIP: vantage.hostIP,
          drainTimeS: 1,
          kube,
          expectDown: ISOLATED,
        }),
      );
    });
    expect1 = {
      "a-dns": "target-a",
      "a-ip4": "target-a",
      "a-ip6": "target-a",
      "a-iso-dns": "none",
      "a-iso-ip": "none",
      "a-long": "exact",
      "b-old": "target-b",
      "b-pin": "target-b",
    };
  }, 300_000);

  cleanEnd("pod e2e", timings);

  it("every container runs as the chart's non-root uid 65532, Envoy included", () => {
    expect(pod.local.envoy.runAs).toEqual({ uid: 65532, gid: 65532 });
    const envoyUid = fs
      .readFileSync(`/proc/${pod.envoy.pid}/status`, "utf8")
      .match(/^Uid:\s+(.*)$/m)?.[1]
      ?.trim();
    expect(envoyUid).toBe("65532\t65532\t65532\t65532");
    expect(pod.local.tailscale.map((c) => c.runAs)).toEqual([
      { uid: 65532, gid: 65532 },
      { uid: 65532, gid: 65532 },
    ]);
    // Each container's processes: the descendants of its sandbox process (by PPid), named containerboot or tailscaled.
    const uidOf = (pid: number): string =>
      fs
        .readFileSync(`/proc/${pid}/status`, "utf8")
        .match(/^Uid:\s+(.*)$/m)?.[1]
        ?.trim() ?? "";
    const uids: Record<string, string[]> = {};
    for (const cb of pod.tailscale.values()) {
      for (const name of ["containerboot", "tailscaled"]) {
        for (const pid of descendantsNamed(cb.proc().pid, name)) (uids[`${cb.name}/${name}`] ??= []).push(uidOf(pid));
      }
    }
    console.log("uids:", JSON.stringify(uids));
    for (const c of ["ts-a", "ts-b"])
      for (const n of ["containerboot", "tailscaled"])
        expect(uids[`${c}/${n}`], `${c}/${n}`).toEqual(["65532\t65532\t65532\t65532"]);
  });

  it("every service port carries bytes byte-exact to the right target (MagicDNS, IPv4, IPv6)", async () => {
    const ports = servicePorts(m1).filter((p) => p.name !== "health");
    expect(ports.map((p) => p.name).sort()).toEqual(
      Object.keys(expect1)
        .filter((n) => n !== "a-ip6" || tA.ipv6)
        .sort(),
    );
    for (const p of ports) if (expect1[p.name] !== "none") await check(p.port, expect1[p.name]!);
  });

  it("isolation: a tailnet A port aimed at a host that exists only in tailnet B is closed, no data, fast", async () => {
    for (const name of ["a-iso-dns", "a-iso-ip"]) {
      const r = await tcpExchange(pod.podIP, local(portOf(m1, name)), payload, 1, 10_000);
      console.log(`${name}: ended=${r.ended} ms=${r.elapsedMs}`);
      expect(r.data.length).toBe(0);
      expect(["closed", "error"]).toContain(r.ended);
      expect(r.elapsedMs).toBeLessThan(3_000 + 2_000); // envoy.connectTimeout 3s
    }
  });

  it("loopback stays loopback: from a non-loopback address only service ports and the health port answer", () => {
    const svc = servicePorts(m1).map((p) => local(p.port));
    const admin = local(adminPortOf(pod.rendered.envoy.files));
    const proxies = pod.local.tailscale.map((c) => Number(c.env.TS_OUTBOUND_HTTP_PROXY_LISTEN?.split(":").pop()));
    const localHealth = pod.local.tailscale.map((c) => Number(c.env.TS_LOCAL_ADDR_PORT?.split(":").pop()));
    const reach = vantage.reachable([...svc, admin, ...proxies, ...localHealth]);
    console.log(`from ${vantage.nsIP} to ${vantage.hostIP}:`, JSON.stringify(reach));
    for (const p of svc) expect(reach[p], `service/health port ${p}`).toBe(true);
    for (const p of [admin, ...proxies, ...localHealth]) expect(reach[p], `loopback-only port ${p}`).toBe(false);
    // And they do serve on the pod's loopback.
    expect(svc.length).toBeGreaterThan(0);
  });

  it("probes, executed as rendered, pass while healthy", async () => {
    for (const kind of ["startup", "liveness", "readiness"] as const)
      expect(await pod.probe("envoy", kind), `envoy ${kind}`).toMatchObject({ ok: true });
    for (const c of pod.local.tailscale)
      for (const p of c.probes)
        expect(await pod.probe(c.name, p.kind), `${c.name} ${p.kind}`).toMatchObject({ ok: true });
  });

  it("hot reload: same Envoy process, new/removed/changed ports, open connections on unchanged listeners keep flowing, pinned port keeps its target", async () => {
    const long = await openConn(pod.podIP, local(portOf(m1, "a-long")));
    expect((await long.exchange(payload, payload.length)).equals(payload)).toBe(true);
    const pid = pod.envoy.pid;
    const v1 = await ldsVersion();
    const ok1 =
      (await pod.envoy.stats("^listener_manager\\.lds\\.update_success$"))["listener_manager.lds.update_success"] ?? 0;

    const m2 = await renderValues(values(2));
    expect(podTemplate(m2), "the pod template does not depend on services").toEqual(podTemplate(m1));
    await timed("reload", async () => {
      await pod.reload(m2);
      await until("LDS update applied", 15_000, async () => {
        const s = await pod.envoy.stats("^listener_manager\\.lds\\.update_success$");
        return (s["listener_manager.lds.update_success"] ?? 0) > ok1 ? true : undefined;
      });
    });
    const v2 = await ldsVersion();
    console.log(`LDS version_info ${v1} -> ${v2}`);
    expect(v2).not.toBe(v1);
    expect(pod.envoy.pid).toBe(pid);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true);

    await check(portOf(m2, "b-new"), "exact"); // added
    await check(portOf(m2, "a-ip4"), "target-a-alt"); // changed target
    expect(portOf(m2, "b-pin")).toBe(11500);
    await check(11500, "target-b"); // pinned: b-old before it was removed, same target
    const removed = portOf(m1, "b-old");
    await until(`removed port ${removed} refuses`, 15_000, async () => {
      const r = await tcpExchange(pod.podIP, local(removed), payload, 1, 2_000);
      return r.ended === "error" && r.data.length === 0 ? true : undefined;
    });
    const after = crypto.randomBytes(5000);
    expect((await long.exchange(after, after.length)).equals(after), "connection opened before the reload").toBe(true);
    long.close();
    for (const p of servicePorts(m2).filter((p) => ["a-dns", "a-long"].includes(p.name)))
      await check(p.port, expect1[p.name]!);
  }, 90_000);

  it("an invalid Envoy config update is rejected and the old config keeps serving", async () => {
    const stat = async (name: string) =>
      (await pod.envoy.stats(`^listener_manager\\.lds\\.${name}$`))[`listener_manager.lds.${name}`] ?? 0;
    const m2 = await renderValues(values(2));
    const files = await pod.reload(m2); // unchanged content: the files as they run
    // (a) a file that does not parse
    const failures = (await stat("update_rejected")) + (await stat("update_failure"));
    await pod.reload(m2, { [LDS_FILE]: JSON.stringify(files[LDS_FILE]).slice(0, 200) });
    await until("update rejected", 15_000, async () =>
      (await stat("update_rejected")) + (await stat("update_failure")) > failures ? true : undefined,
    );
    // (b) the whole config with one listener made invalid (tcp_proxy stat_prefix must not be empty): LDS
    // applies per listener, so that listener keeps its old config and every other one is untouched.
    const rejected = await stat("update_rejected");
    const lds = structuredClone(files[LDS_FILE]!) as {
      resources: { name: string; filter_chains?: { filters: { typed_config: { stat_prefix?: string } }[] }[] }[];
    };
    const victim = lds.resources.find((l) => l.name === `listener-${portOf(m2, "a-dns")}`)!;
    victim.filter_chains![0]!.filters[0]!.typed_config.stat_prefix = "";
    await pod.reload(m2, { [LDS_FILE]: JSON.stringify({ ...lds, version_info: "broken" }) });
    await until("update_rejected", 15_000, async () => ((await stat("update_rejected")) > rejected ? true : undefined));
    console.log(
      pod.envoy
        .log()
        .split("\n")
        .filter((l) => /rejected/.test(l))
        .slice(-2)
        .join("\n"),
    );
    await check(portOf(m2, "a-dns"), "target-a"); // the rejected listener, on its old config
    await check(11500, "target-b");
    await check(portOf(m2, "b-new"), "exact");
    expect(await health("/ready")).toBe(200);
    await pod.reload(m2); // back to the valid files
  }, 60_000);

  it("a killed tailnet fails fast and alone, readiness says so, and it recovers with the same identity", async () => {
    const cb = pod.tailscale.get("a")!;
    const before = await cb.status();
    await cb.kill();
    // The kernel kills tailscaled with containerboot's PID namespace, asynchronously: wait until its proxy is gone.
    await until("ts-a's proxy port closes", 5_000, async () =>
      (await isListening(cb.proxyPort ?? -1)) ? undefined : true,
    );
    const aPort = portOf(m1, "a-dns");
    const r = await tcpExchange(pod.podIP, local(aPort), payload, 1, 10_000);
    console.log(`a-dns with ts-a killed: ended=${r.ended} ms=${r.elapsedMs}`);
    expect(r.data.length).toBe(0);
    expect(["closed", "error"]).toContain(r.ended);
    expect(r.elapsedMs).toBeLessThan(3_000);
    await until("Envoy marks tailnet a and its services unhealthy", 10_000, async () => {
      const s = await pod.envoy.stats("membership_healthy$");
      const a = tailnetClusters(pod.local.envoy.files, "a");
      return a.length > 1 && a.every((c) => s[`cluster.${c}.membership_healthy`] === 0) ? true : undefined;
    });
    expect(await health("/ready/a")).toBe(503);
    expect(await health("/ready/b")).toBe(200);
    expect(await pod.probe("ts-a", "startup")).toMatchObject({ ok: false, status: 503 });
    expect(await pod.probe("ts-b", "startup")).toMatchObject({ ok: true });
    await check(11500, "target-b");
    const t0 = Date.now();
    await refusedOrClosed(aPort, 5_000);
    expect(Date.now() - t0).toBeLessThan(1_000); // unhealthy: closed at once, no connect attempt

    const after = await timed("restart ts-a", () => cb.restart());
    expect(after.self.publicKey).toBe(before.self.publicKey);
    expect(after.self.ipv4).toBe(before.self.ipv4);
    expect(await pod.kube?.secretData(`${pod.local.podName}-a-state`), "state from the kube Secret").toHaveProperty(
      "_machinekey",
    );
    await timed("ts-a healthy again in Envoy", () =>
      waitHealthy(pod.envoy, pod.local.envoy.files, 30_000, aClustersUp()),
    );
    await check(aPort, "target-a");
    expect(await health("/ready/a")).toBe(200);
  }, 120_000);

  it("containerboot of tailnet a killed (the process, not the container): restarted in place, same identity, b serves throughout", async () => {
    const cb = pod.tailscale.get("a")!;
    const container = cb.proc();
    const starts = cb.starts();
    const before = await cb.status();
    const oldTailscaled = descendantsNamed(container.pid, "tailscaled");
    expect(oldTailscaled).toHaveLength(1);
    // Real traffic through Envoy to tailnet b, one connection every 200 ms, for the whole test.
    const bReply = taggedReply("target-b", payload);
    const b = { ok: 0, failed: [] as string[] };
    let traffic = true;
    const bTraffic = (async () => {
      while (traffic) {
        const t = Date.now();
        const r = await tcpExchange(pod.podIP, local(11500), payload, bReply.length, 3_000);
        if (r.data.equals(bReply)) b.ok++;
        else b.failed.push(`${new Date(t).toISOString()} ended=${r.ended} bytes=${r.data.length}`);
        await sleep(Math.max(0, 200 - (Date.now() - t)));
      }
    })();
    await sleep(1_000);
    const t0 = Date.now();
    const killed = cb.killContainerboot();
    const newBoot = await until("a new containerboot in ts-a", 10_000, async () => {
      const pids = descendantsNamed(container.pid, "containerboot").filter((p) => p !== killed);
      return pids.length === 1 ? pids[0] : undefined;
    });
    const startedMs = Date.now() - t0;
    const after = await cb.waitReady(60_000);
    await waitHealthy(pod.envoy, pod.local.envoy.files, 30_000, aClustersUp());
    await until("a-dns answers again", 30_000, async () => {
      const reply = taggedReply("target-a", payload);
      const r = await tcpExchange(pod.podIP, local(portOf(m1, "a-dns")), payload, reply.length, 3_000);
      return r.data.equals(reply) ? true : undefined;
    });
    const servingMs = Date.now() - t0;
    await sleep(1_000);
    traffic = false;
    await bTraffic;
    console.log(
      `ts-a containerboot killed: new containerboot after ${startedMs} ms, a serves again after ${servingMs} ms; ` +
        `b: ${b.ok} ok, ${b.failed.length} failed`,
    );
    // The container never stopped: same sandbox process, no kubelet-style restart.
    expect(cb.proc()).toBe(container);
    expect(container.running()).toBe(true);
    expect(cb.starts(), "no container restart: the loop restarted containerboot").toBe(starts);
    expect(fs.existsSync(`/proc/${killed}`)).toBe(false);
    // The orphaned tailscaled was stopped; the new containerboot started its own.
    const nowTailscaled = descendantsNamed(container.pid, "tailscaled");
    expect(nowTailscaled).toHaveLength(1);
    expect(nowTailscaled).not.toEqual(oldTailscaled);
    expect(descendantsNamed(container.pid, "containerboot")).toEqual([newBoot]);
    const lines = container.log().match(/^ts-a: containerboot exited.*$/gm) ?? [];
    expect(lines).toEqual([
      "ts-a: containerboot exited (code 137); restarting it in 1s; the other tailnets are not affected",
    ]);
    expect(after.self.publicKey).toBe(before.self.publicKey);
    expect(after.self.ipv4).toBe(before.self.ipv4);
    expect(startedMs).toBeLessThan(5_000);
    expect(b.failed, "tailnet b while ts-a's containerboot restarted").toEqual([]);
    expect(b.ok).toBeGreaterThan(10);
    expect(await health("/ready")).toBe(200);
    expect(await health("/ready/b")).toBe(200);
    expect(await health("/ready/a")).toBe(200);
  }, 120_000);

  it("with control server A stopped, connected nodes keep carrying traffic (open and new connections)", async () => {
    await aTargetsUp("a-long", "a-dns");
    const long = await openConn(pod.podIP, local(portOf(m1, "a-long")));
    expect((await long.exchange(payload, payload.length)).equals(payload)).toBe(true);
    await hsA.stop();
    await sleep(2_000);
    await aTargetsUp("a-dns"); // the target checks go through the data plane, which must not need the control server
    expect((await long.exchange(payload, payload.length)).equals(payload)).toBe(true);
    long.close();
    await check(portOf(m1, "a-dns"), "target-a");
  }, 60_000);

  it("graceful termination: preStop hooks fail readiness first, an open connection completes within the drain window, then everything stops", async () => {
    await aTargetsUp("a-long");
    const conn = await openConn(pod.podIP, local(portOf(m1, "a-long")));
    expect((await conn.exchange(payload, payload.length)).equals(payload)).toBe(true);
    const t0 = Date.now();
    const terminating = pod.terminate();
    await until("/ready turns 503", 3_000, async () => ((await health("/ready")) === 503 ? true : undefined));
    const readyFailedMs = Date.now() - t0;
    expect(await pod.probe("envoy", "readiness")).toMatchObject({ ok: false });
    await sleep(Math.max(0, (DRAIN_S - 1) * 1000 - (Date.now() - t0)));
    const late = crypto.randomBytes(4000);
    expect((await conn.exchange(late, late.length)).equals(late), "byte-exact within the drain window").toBe(true);
    conn.close();
    const timeline = await terminating;
    console.log(`termination: /ready 503 after ${readyFailedMs} ms; ${JSON.stringify(timeline)}`);
    expect(readyFailedMs).toBeLessThan(DRAIN_S * 1000);
    for (const [name, t] of Object.entries(timeline)) {
      expect(t.preStopDoneMs, `${name} preStop waits the drain`).toBeGreaterThanOrEqual(DRAIN_S * 1000 - 200);
      expect(t.exitedMs, `${name} stopped within terminationGracePeriodSeconds`).toBeLessThan(
        pod.local.terminationGracePeriodSeconds * 1000,
      );
    }
    for (const cb of pod.tailscale.values()) {
      expect(cb.proc().running()).toBe(false);
      // The loop forwarded SIGTERM to containerboot, which stopped tailscaled, and exited 0 without a restart.
      expect(await cb.proc().exited, cb.name).toEqual({ code: 0, signal: null });
      expect(cb.proc().log()).toMatch(/Sending SIGTERM to tailscaled/);
      expect(cb.proc().log()).not.toMatch(/^ts-[a-z]+: containerboot exited \(code (?!137)/m);
    }
    expect(fs.existsSync(`/proc/${pod.envoy.pid}`)).toBe(false);
  }, 60_000);
});
