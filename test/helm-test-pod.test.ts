// The `helm test` hook (a Job by default, which F5 XC vK8s accepts; a bare Pod with tests.kind: Pod) asks Envoy's
// /ready/<tailnet> for each tailnet before connecting to that tailnet's ports of the release Service, never
// receives Service traffic, runs once within its deadline, meets the restricted Pod Security Standard, and its
// script (files/check-ports.sh) works outside the cluster: against loopback servers here, with the shells and
// HTTP clients it supports.
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOne, parseManifests, servicePorts, testHook, type Manifest } from "../tools/src/helm/manifests.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { planPorts } from "../tools/src/plan/ports.ts";
import { manifestsOf, renderCached, valuesOf } from "./lib/cases.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";

const SCRIPT = repoPath("files/check-ports.sh");
type Container = { name: string; command: string[]; securityContext: Record<string, unknown> };
type PodSpec = { containers: Container[]; securityContext: Record<string, unknown>; restartPolicy: string };

/** The pod the hook runs, whichever kind the hook is. */
const testPod = (ms: Manifest[]) => {
  const { hook, pod } = testHook(ms);
  expect(hook.metadata.name).toMatch(/-test-connection$/);
  return pod;
};

describe("helm test pod", () => {
  it.each(goldenCases().map((c) => [c.name, c.file] as const))(
    "%s: checks each tailnet's /ready/<tailnet>, then its Service ports (or renders no test hook when tests.enabled is false)",
    async (_n, file) => {
      const ms = await manifestsOf(file);
      const values = await valuesOf(file);
      if (values.tests.enabled === false) {
        expect(ms.filter((m) => m.metadata.annotations?.["helm.sh/hook"])).toEqual([]);
        return;
      }
      const { hook } = testHook(ms);
      expect(hook.kind).toBe(values.tests.kind);
      const pod = testPod(ms);
      const svc = findOne(ms, "Service");
      const host = `${svc.metadata.name}.${svc.metadata.namespace}.svc`;
      const command = (pod.spec as unknown as PodSpec).containers[0]!.command;
      const args = command.slice(command.indexOf("check-ports") + 1);
      // The health port first, then each tailnet's readiness URL followed by its ports, tailnet by tailnet.
      const ports = new Map(servicePorts(ms).map((p) => [p.name, p.port]));
      const health = `${host}:${ports.get("health")}`;
      expect(args).toEqual([
        "-w",
        String(values.tests.connectTimeout),
        `health=${health}`,
        ...planPorts(values).tailnets.flatMap((tn) => [
          "-r",
          `${tn.name}=http://${health}/ready/${tn.name}`,
          ...tn.services.map((s) => `${s.portName}=${host}:${ports.get(s.portName)}`),
        ]),
      ]);
      // Every Service port is checked.
      const endpoints = args.filter((a, i) => a.includes("=") && args[i - 1] !== "-r");
      expect(endpoints).toEqual(servicePorts(ms).map((p) => `${p.name}=${host}:${p.port}`));
      // The Service must never select the test pod.
      const selector = (svc.spec as { selector: Record<string, string> }).selector;
      const labels = pod.metadata.labels ?? {};
      expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(false);
    },
  );

  it("runs the chart's script, comment lines dropped, restricted and pinned", async () => {
    const pod = testPod(await manifestsOf(goldenCases()[0]!.file));
    const spec = pod.spec as unknown as PodSpec;
    const c = spec.containers[0]!;
    const withoutComments = readFileSync(SCRIPT, "utf8").replace(/^[ \t]*#.*\n/gm, "");
    expect(c.command.slice(0, 4)).toEqual(["sh", "-c", withoutComments, "check-ports"]);
    expect(spec.restartPolicy).toBe("Never");
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect((c as unknown as { image: string }).image).toMatch(/^docker\.io\/library\/busybox:\d+\.\d+\.\d+$/);
  });

  it("is by default a Job that runs its pod once, within tests.activeDeadlineSeconds", async () => {
    const { hook, pod } = testHook(await manifestsOf(goldenCases()[0]!.file));
    expect(hook).toMatchObject({
      apiVersion: "batch/v1",
      kind: "Job",
      spec: { backoffLimit: 0, activeDeadlineSeconds: 180 },
    });
    expect(hook.metadata.annotations?.["helm.sh/hook-delete-policy"]).toBe("before-hook-creation,hook-succeeded");
    expect(pod.spec).toMatchObject({ restartPolicy: "Never", automountServiceAccountToken: false });
    // The Job's pod carries the test labels (never the Service selector) and the pod annotations (on F5 XC,
    // ves.io/virtual-sites places it).
    expect(pod.metadata.labels).toEqual(hook.metadata.labels);
  });

  it("is a bare Pod with tests.kind Pod, the same pod spec, with the same deadline", async () => {
    const file = goldenCases()[0]!.file;
    const job = testHook(await manifestsOf(file));
    const out = await renderCached(file, 3, [tmpValues({ tests: { kind: "Pod", activeDeadlineSeconds: 42 } })]);
    const { hook, pod } = testHook(parseManifests(out));
    expect(hook).toMatchObject({ apiVersion: "v1", kind: "Pod", spec: { activeDeadlineSeconds: 42 } });
    expect(hook.metadata.labels).toEqual(job.hook.metadata.labels);
    expect(hook.metadata.annotations).toEqual(job.hook.metadata.annotations);
    const { activeDeadlineSeconds: _deadline, ...spec } = pod.spec;
    expect(spec).toEqual(job.pod.spec);
  });

  it("puts podAnnotations on the Job and on its pod (ves.io/virtual-sites places both on F5 XC)", async () => {
    const vk8s = goldenCases().find((c) => c.name === "examples/f5xc-vk8s")!;
    const { hook, pod } = testHook(await manifestsOf(vk8s.file));
    const want = (await valuesOf(vk8s.file)).podAnnotations;
    expect(Object.keys(want)).toContain("ves.io/virtual-sites");
    expect(hook.metadata.annotations).toMatchObject(want);
    expect(pod.metadata.annotations).toEqual(want);
  });

  it("is left out with tests.enabled=false", async () => {
    const out = await renderCached(goldenCases()[0]!.file, 3, [tmpValues({ tests: { enabled: false } })]);
    expect(out).not.toContain("test-connection");
  });
});

describe("files/check-ports.sh run locally", () => {
  let server: Server;
  let open: number;
  beforeAll(async () => {
    server = createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    open = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const run = (...args: string[]) => execa("bash", [SCRIPT, "-w", "2", ...args], { reject: false });

  it("passes when every port accepts", async () => {
    const r = await run(`web=127.0.0.1:${open}`);
    expect(r.stdout).toBe(`ok    web 127.0.0.1:${open}\nall 1 port(s) accept connections`);
    expect(r.exitCode).toBe(0);
  });

  it("names the ports that fail and exits 1", async () => {
    // Port 1 on loopback refuses: nothing listens there without root.
    const r = await run(`web=127.0.0.1:${open}`, "db=127.0.0.1:1", "[::1]:1");
    expect(r.stdout.split("\n")).toEqual([
      `ok    web 127.0.0.1:${open}`,
      "FAIL  db 127.0.0.1:1",
      "FAIL  [::1]:1 [::1]:1",
      "2 of 3 port(s) failed: db [::1]:1",
    ]);
    expect(r.exitCode).toBe(1);
  });

  it("refuses an empty list", async () => {
    const r = await run();
    expect(r.stderr).toContain("usage: check-ports.sh");
    expect(r.exitCode).toBe(2);
  });
});

/** Absolute path of a command on this machine's PATH, or undefined. */
const which = (name: string): string | undefined => {
  const r = execaSync("sh", ["-c", `command -v ${name}`], { reject: false });
  return r.exitCode === 0 && r.stdout.startsWith("/") ? r.stdout : undefined;
};
const BASH = which("bash");
const TIMEOUT = which("timeout");
const BUSYBOX = which("busybox");

// The commands each run may use: its PATH is one directory of links to them (nc: a stand-in script), so no
// other nc, wget or curl is found.
// The pod runs busybox 1.37 (sh, nc -z -w, wget -q -T -O); Debian's busybox has neither nc -z nor wget -T
// and its sh prefers its own applets, so "as in the pod" is sh with an nc -z stand-in and GNU wget, which
// takes the same -q -T -O and fails on a 503 as busybox's does.
type Toolset = { name: string; shell: string | undefined; tools: Record<string, string | undefined> };
const NC_STANDIN = `#!${BASH}
# nc -z -w SECS HOST PORT, as the pod's busybox nc: exit 0 when HOST:PORT accepts a connection.
if [ "$1" = --help ]; then printf 'Usage: nc [OPTIONS] HOST PORT\n\t-z\tZero-I/O mode [scanning]\n' >&2; exit 1; fi
[ "$1" = -z ] && [ "$2" = -w ] && [ $# -eq 5 ] || exit 2
exec ${TIMEOUT} "$3" ${BASH} -c 'exec 3<>"/dev/tcp/$0/$1"' "$4" "$5" 2>/dev/null
`;
const toolsets: Toolset[] = [
  {
    name: "sh with nc -z and wget -T, as in the pod",
    shell: which("sh"),
    tools: { nc: NC_STANDIN, wget: which("wget"), grep: which("grep") },
  },
  { name: "bash with curl and /dev/tcp", shell: BASH, tools: { curl: which("curl"), timeout: TIMEOUT, bash: BASH } },
  {
    name: "bash with busybox wget (no -T in Debian's build, so under timeout) and /dev/tcp",
    shell: BASH,
    tools: { wget: BUSYBOX, timeout: TIMEOUT, grep: which("grep"), bash: BASH },
  },
  {
    // The local cluster's busybox image (tools/src/local/cluster/images.ts) has this nc and wget.
    name: "sh with Debian's busybox nc (no -z) and wget (no -T)",
    shell: which("sh"),
    tools: { nc: BUSYBOX, wget: BUSYBOX, timeout: TIMEOUT, grep: which("grep") },
  },
];

/** A toolset some of whose commands this machine lacks: its tests fail, naming them (never a skip). */
const unavailable = (t: Toolset): boolean =>
  [t.shell, ...Object.values(t.tools)].some((p) => p === undefined || p.includes("undefined"));
const requireToolset = (t: Toolset): void => {
  if (unavailable(t))
    throw new Error(
      `${t.name}: a command is missing (${JSON.stringify(t.tools)}); install with: bash tools/toolchain.sh node`,
    );
};

describe("files/check-ports.sh checks each tailnet's readiness first", () => {
  const dirs: string[] = [];
  let http: ReturnType<typeof createHttpServer>;
  let up: Server;
  let down: Server;
  let hp: number;
  let upPort: number;
  let downPort: number;
  let downConnections = 0;
  const asked: string[] = [];
  beforeAll(async () => {
    // Envoy's health port, as far as the script sees it: 200 for ready tailnets (a, c) and their services'
    // targets, except a service named "dead" (/ready/<tailnet>/dead); 503 otherwise.
    http = createHttpServer((req, res) => {
      asked.push(req.url ?? "");
      const [, ready, tailnet, service, more] = (req.url ?? "").split("/");
      const ok = ready === "ready" && (tailnet === "a" || tailnet === "c") && service !== "dead" && more === undefined;
      res.writeHead(ok ? 200 : 503).end();
    });
    up = createServer((c) => c.end());
    down = createServer((c) => {
      downConnections++;
      c.end();
    });
    const listen = async (s: Server | typeof http): Promise<number> => {
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
      return (s.address() as AddressInfo).port;
    };
    [hp, upPort, downPort] = [await listen(http), await listen(up), await listen(down)];
  });
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await Promise.all([http, up, down].map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  /** Runs the script with only the toolset's commands on PATH (and no proxy settings: loopback only). */
  const runWith = (t: Toolset, ...args: string[]) => {
    const dir = tempDir("check-ports");
    dirs.push(dir);
    for (const [name, target] of Object.entries(t.tools)) {
      if (target!.startsWith("#!")) writeFileSync(join(dir, name), target!, { mode: 0o755 });
      else symlinkSync(target!, join(dir, name));
    }
    return execa(t.shell!, [SCRIPT, "-w", "2", ...args], { reject: false, extendEnv: false, env: { PATH: dir } });
  };
  const ready = (name: string, port = hp) => ["-r", `${name}=http://127.0.0.1:${port}/ready/${name}`];

  describe.each(toolsets.map((t) => [t.name, t] as const))("%s", (_n, t) => {
    it("fails a tailnet's ports without connecting when it is not ready, naming it", async () => {
      requireToolset(t);
      const before = downConnections;
      asked.length = 0;
      const r = await runWith(
        t,
        `health=127.0.0.1:${hp}`,
        ...ready("a"),
        `web=127.0.0.1:${upPort}`,
        ...ready("b"),
        `db=127.0.0.1:${downPort}`,
        `api=127.0.0.1:${downPort}`,
      );
      expect(r.stdout.split("\n")).toEqual([
        `ok    health 127.0.0.1:${hp}`,
        `ok    web 127.0.0.1:${upPort}`,
        `FAIL  db 127.0.0.1:${downPort} (tailnet b not ready)`,
        `FAIL  api 127.0.0.1:${downPort} (tailnet b not ready)`,
        "2 of 4 port(s) failed: b/db b/api; tailnet(s) not ready: b",
      ]);
      expect(r.exitCode).toBe(1);
      expect(asked).toEqual(["/ready/a", "/ready/a/web", "/ready/b"]);
      expect(downConnections).toBe(before);
    });

    it("passes when every tailnet is ready and every port accepts", async () => {
      requireToolset(t);
      const r = await runWith(t, ...ready("a"), `web=127.0.0.1:${upPort}`, ...ready("c"), `db=127.0.0.1:${downPort}`);
      expect(r.stdout.split("\n")).toEqual([
        `ok    web 127.0.0.1:${upPort}`,
        `ok    db 127.0.0.1:${downPort}`,
        "all 2 port(s) accept connections, 2 tailnet(s) ready",
      ]);
      expect(r.exitCode).toBe(0);
    });
  });

  const pod = toolsets[0]!;

  it.each(toolsets.map((t) => [t.name, t] as const))(
    "%s: fails a port whose target is not ready without connecting, naming the service and its tailnet",
    async (_n, t) => {
      requireToolset(t);
      const before = downConnections;
      asked.length = 0;
      const r = await runWith(t, ...ready("a"), `web=127.0.0.1:${upPort}`, `dead=127.0.0.1:${downPort}`);
      expect(r.stdout.split("\n")).toEqual([
        `ok    web 127.0.0.1:${upPort}`,
        `FAIL  dead 127.0.0.1:${downPort} (target of a/dead not ready)`,
        "1 of 2 port(s) failed: a/dead; target(s) not ready: a/dead",
      ]);
      expect(r.exitCode).toBe(1);
      expect(asked).toEqual(["/ready/a", "/ready/a/web", "/ready/a/dead"]);
      expect(downConnections).toBe(before);
    },
  );

  it("tells a refused port of a ready tailnet from an unreachable readiness URL", async () => {
    requireToolset(pod);
    // Port 1 on loopback refuses: nothing listens there without root.
    const r = await runWith(
      pod,
      ...ready("a"),
      `web=127.0.0.1:${upPort}`,
      "x=127.0.0.1:1",
      ...ready("d", 1),
      `y=127.0.0.1:${upPort}`,
    );
    expect(r.stdout.split("\n")).toEqual([
      `ok    web 127.0.0.1:${upPort}`,
      "FAIL  x 127.0.0.1:1",
      `FAIL  y 127.0.0.1:${upPort} (tailnet d not ready)`,
      "2 of 3 port(s) failed: a/x d/y; tailnet(s) not ready: d",
    ]);
    expect(r.exitCode).toBe(1);
  });

  it("refuses -r without TAILNET=URL, and -r without wget or curl", async () => {
    requireToolset(pod);
    const bad = await runWith(pod, `web=127.0.0.1:${upPort}`, "-r");
    expect(bad.stderr).toContain("usage: check-ports.sh");
    expect(bad.exitCode).toBe(2);
    const noClient = await runWith({ ...pod, tools: { nc: NC_STANDIN } }, ...ready("a"), `web=127.0.0.1:${upPort}`);
    expect(noClient.stderr).toContain("-r needs wget or curl");
    expect(noClient.exitCode).toBe(2);
  });
});
