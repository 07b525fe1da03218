// The `helm test` pod connects to every port of the release Service, never receives Service traffic,
// meets the restricted Pod Security Standard, and its script (files/check-ports.sh) works outside the
// cluster against a host:port list.
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOne, servicePorts, type Manifest } from "../tools/src/helm/manifests.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { manifestsOf, renderCached, valuesOf } from "./lib/cases.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const SCRIPT = repoPath("files/check-ports.sh");
type Container = { name: string; command: string[]; securityContext: Record<string, unknown> };
type PodSpec = { containers: Container[]; securityContext: Record<string, unknown>; restartPolicy: string };

const testPod = (ms: Manifest[]): Manifest => findOne(ms, "Pod", "-test-connection");

describe("helm test pod", () => {
  it.each(goldenCases().map((c) => [c.name, c.file] as const))(
    "%s: checks every Service port (or renders no test pod when tests.enabled is false)",
    async (_n, file) => {
      const ms = await manifestsOf(file);
      if ((await valuesOf(file)).tests.enabled === false) {
        expect(ms.filter((m) => m.kind === "Pod")).toEqual([]);
        return;
      }
      const pod = testPod(ms);
      expect(pod.metadata.annotations?.["helm.sh/hook"]).toBe("test");
      const svc = findOne(ms, "Service");
      const host = `${svc.metadata.name}.${svc.metadata.namespace}.svc`;
      const command = (pod.spec as PodSpec).containers[0]!.command;
      const endpoints = command.slice(command.indexOf("-w") + 2);
      expect(endpoints).toEqual(servicePorts(ms).map((p) => `${p.name}=${host}:${p.port}`));
      // The Service must never select the test pod.
      const selector = (svc.spec as { selector: Record<string, string> }).selector;
      const labels = pod.metadata.labels ?? {};
      expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(false);
    },
  );

  it("runs the chart's script, comment lines dropped, restricted and pinned", async () => {
    const pod = testPod(await manifestsOf(goldenCases()[0]!.file));
    const spec = pod.spec as PodSpec;
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
