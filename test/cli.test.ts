// The CLI, run as a user runs it: exit codes, stdout and stderr.
import { dirname } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoPath } from "../tools/src/lib/paths.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const run = (args: string[], env: Record<string, string> = {}) =>
  execa("node", [repoPath("bin/tailnet-egress.js"), ...args], { reject: false, cwd: repoPath(), env });
const cli = (...args: string[]) => run(args);
const STACK_LINE = /^ {4}at /m;

describe("tailnet-egress CLI", () => {
  it("lists its commands and each has --help", async () => {
    const r = await cli("--help");
    expect(r.exitCode).toBe(0);
    for (const c of ["validate", "plan", "golden", "start"]) {
      expect(r.stdout).toContain(c);
      const h = await cli(c, "--help");
      expect(h.exitCode).toBe(0);
      expect(h.stdout).toMatch(/^Usage: tailnet-egress /);
    }
  });

  it("validate accepts the example and merges files like helm", async () => {
    const override = tmpValues({ envoy: { adminPort: 9901 } });
    const r = await cli("validate", "-f", repoPath("examples/values.yaml"), "-f", override);
    expect(r.stdout).toBe("ok: 2 tailnet(s), 3 service(s)");
    expect(r.exitCode).toBe(0);
  });

  it("validate refuses bad values on stderr only, naming every field", async () => {
    const bad = tmpValues({
      tailnets: [{ name: "a", authKey: "k", services: [{ host: "https://x", port: 70000, protcol: "tcp" }] }],
    });
    const r = await cli("validate", "-f", bad);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      'tailnets[0].services[0]: unknown key "protcol" (allowed: host, port, name, protocol, listenPort, connectTimeout, targetCheck)',
    );
    expect(r.stderr).toContain("tailnets[0].services[0].port: must be <= 65535");
  });

  it("unknown commands and options are usage errors", async () => {
    expect((await cli("frobnicate")).exitCode).toBe(2);
    const r = await cli("validate", "--nope");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("Usage: tailnet-egress validate");
  });

  it("plan prints the port map and the Envoy files", async () => {
    const r = await cli("plan", "-f", repoPath("examples/values.yaml"));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^PORT\s+NAME\s+TAILNET\s+TARGET/);
    expect(r.stdout).toMatch(/10000\s+corp-web\s+corp\s+web\.corp\.ts\.net:443/);
    expect(r.stdout).toContain("--- lds.json");
  });
});

describe("tailnet-egress errors: a few lines on stderr, no stack trace, a documented exit code", () => {
  const example = repoPath("examples/values.yaml");
  const expectFailure = (
    r: { exitCode?: number; stdout: string; stderr: string },
    code: number,
    fragments: string[],
  ) => {
    expect(r.exitCode, r.stderr).toBe(code);
    for (const f of fragments) expect(r.stderr).toContain(f);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe("");
  };

  it("documents the exit codes and --debug in --help", async () => {
    const r = await cli("--help");
    expect(r.stdout).toMatch(
      /Exit codes:\n {2}0 {2}success\n {2}1 {2}invalid values.*\n {2}2 {2}usage or input error.*\n {2}3 .*not installed.*\n {2}4 {2}unexpected error/,
    );
    expect(r.stdout).toContain("--debug, anywhere on the command line\n(or TAILNET_EGRESS_DEBUG=1)");
  });

  it("a missing values file: 2, naming the file", async () => {
    expectFailure(await cli("validate", "-f", "missing.yaml"), 2, ["missing.yaml: cannot read the file: no such file"]);
  });

  it("an unreadable values file (a directory): 2, naming the file", async () => {
    const dir = dirname(tmpValues({}));
    expectFailure(await cli("plan", "-f", dir), 2, [`${dir}: cannot read the file: is a directory`]);
  });

  it("YAML that does not parse: 2, with file, line, column and the line itself", async () => {
    const bad = tmpValues("tailnets:\n  - name: corp\n    authKey: tskey: x\n");
    const r = await cli("validate", "-f", example, "-f", bad);
    expectFailure(r, 2, [
      `${bad}:3:14: not valid YAML: Nested mappings are not allowed in compact mappings`,
      "authKey: tskey: x",
    ]);
    expect(r.stderr.split("\n").length).toBeLessThanOrEqual(4);
  });

  it("a values file that is not a map: 2", async () => {
    const list = tmpValues("- corp\n");
    expectFailure(await cli("validate", "-f", list), 2, [`${list}: a values file must be a YAML map at the top level`]);
  });

  it("invalid values stay 1", async () => {
    const bad = tmpValues({ tailnets: [{ name: "a", authKey: "k", services: [{ host: "x", port: 0 }] }] });
    expectFailure(await cli("validate", "-f", bad), 1, ["values are invalid:", "tailnets[0].services[0].port"]);
  });

  it("a missing tool: 3, with the command that installs it", async () => {
    const noTools = { TOOLS_DIR: "/nonexistent/tailnet-egress-tools" };
    expectFailure(await run(["golden"], noTools), 3, [
      "helm3 is not installed",
      "install with: bash tools/toolchain.sh helm3",
      "npm run tools",
    ]);
    expectFailure(await run(["start", "-f", example], noTools), 3, [
      "helm3, envoy, tailscaled, tailscale, containerboot are not installed",
      "bash tools/toolchain.sh helm3 envoy tailscale",
    ]);
  });

  it("an unexpected error: 4, one line and the --debug hint; --debug or TAILNET_EGRESS_DEBUG=1 print the trace", async () => {
    const file = tmpValues({}); // --out names a regular file, so it cannot be made a directory
    const args = ["f5xc", "-f", example, "--namespace", "egress", "--site", "ce-1", "--out", file];
    const r = await cli(...args);
    expectFailure(r, 4, [`error: EEXIST: file already exists, mkdir '${file}'`, "rerun with --debug"]);
    expect(r.stderr.trim().split("\n")).toHaveLength(2);
    for (const traced of [
      await cli(...args, "--debug"),
      await cli("--debug", ...args),
      await run(args, { TAILNET_EGRESS_DEBUG: "1" }),
    ]) {
      expect(traced.exitCode).toBe(4);
      expect(traced.stderr).toContain("EEXIST");
      expect(traced.stderr).toMatch(STACK_LINE);
    }
  });
});
