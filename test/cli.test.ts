// The CLI, run as a user runs it: exit codes, stdout and stderr.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoPath } from "../tools/src/lib/paths.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const cli = (...args: string[]) => execa("node", [repoPath("bin/tailnet-egress.js"), ...args], { reject: false, cwd: repoPath() });

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
    const bad = tmpValues({ tailnets: [{ name: "a", authKey: "k", services: [{ host: "https://x", port: 70000, protcol: "tcp" }] }] });
    const r = await cli("validate", "-f", bad);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('tailnets[0].services[0]: unknown key "protcol" (allowed: host, port, name, protocol, listenPort, connectTimeout)');
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
