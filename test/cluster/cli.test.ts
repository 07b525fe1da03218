// The local-cluster walk-through (docs/local-cluster.md), through the CLI as a user types it: cluster up --demo, helm
// install --wait and helm test through cluster exec, then cluster down (twice). Afterwards nothing of the
// cluster is left on the host, and the host's own interfaces, routes and firewall rules never changed.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { systemTool } from "../../tools/src/lib/toolpaths.ts";
import { clusterDown } from "../../tools/src/local/cluster/cluster.ts";
import { cgroupTops, layout } from "../../tools/src/local/cluster/layout.ts";
import { cmdline, pids } from "../../tools/src/local/proc.ts";

const NAME = `cli${process.pid % 100_000}`;
const l = layout(NAME);

function cli(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [repoPath("bin/tailnet-egress.js"), ...args], {
    encoding: "utf8",
    timeout: 600_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** What the host's network namespace looks like: links, addresses, routes and firewall rules. */
function hostNetwork(): string {
  const ip = systemTool("ip");
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8" });
  const rules = spawnSync("iptables-save", [], { encoding: "utf8" }).stdout.replace(/^#.*\n/gm, "");
  const strip = (s: string) => s.replace(/ +(rx|tx)_?\w*.*$/gm, "");
  // The e2e pod tests, which may run at the same time, add and remove a veth pair of their own (tseh*).
  const others = (s: string) =>
    s
      .split("\n")
      .filter((x) => !/tseh\d|10\.231\./.test(x))
      .join("\n");
  return others(
    [
      strip(run(ip, ["-o", "link", "show"])).replace(/state \w+/g, ""),
      run(ip, ["-o", "addr", "show"]),
      run(ip, ["route", "show"]),
      rules,
    ].join("\n"),
  );
}

function leftovers(): string[] {
  const found: string[] = [];
  if (fs.existsSync(`/run/netns/${l.netns}`)) found.push(`netns ${l.netns}`);
  for (const c of cgroupTops(l)) if (fs.existsSync(c)) found.push(`cgroup ${c}`);
  if (fs.existsSync(l.dir)) found.push(`dir ${l.dir}`);
  for (const p of pids()) if (cmdline(p)?.some((arg) => arg.includes(l.dir))) found.push(`process ${p}`);
  return found;
}

describe("tailnet-egress cluster: up --demo, helm install --wait, helm test, down", () => {
  afterAll(() => clusterDown(NAME), 120_000);

  it("works end to end and leaves nothing behind", () => {
    const before = hostNetwork();
    const up = cli("cluster", "up", "--demo", "--name", NAME);
    expect(up.code, up.out).toBe(0);
    const line = (key: string) => new RegExp(`^${key}: (.+)$`, "m").exec(up.out)?.[1];
    expect(line("kubeconfig")).toBe(l.kubeconfig);
    expect(line("netns")).toBe(l.netns);
    const values = line("values");
    expect(values && fs.existsSync(values)).toBe(true);

    const exec = (...args: string[]) => cli("cluster", "exec", "--name", NAME, "--", ...args);
    // The node's Ready condition, found by its type: its status is True (the last condition's type is Ready
    // whatever its status).
    const nodes = exec(
      "kubectl",
      "get",
      "nodes",
      "-o",
      'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
    );
    expect(nodes.code, nodes.out).toBe(0);
    expect(nodes.out.trim()).toBe("True");
    const install = exec("helm", "install", "egress", repoPath(), "-f", values ?? "", "--wait", "--timeout", "5m");
    expect(install.code, install.out).toBe(0);
    const test = exec("helm", "test", "egress");
    expect(test.code, test.out).toBe(0);
    expect(test.out).toContain("Phase:          Succeeded");
    // The host's namespace is untouched while the cluster runs: every address is inside the cluster's own.
    expect(hostNetwork()).toBe(before);

    const down = cli("cluster", "down", "--name", NAME);
    expect(down.code, down.out).toBe(0);
    expect(leftovers()).toEqual([]);
    expect(cli("cluster", "down", "--name", NAME).code).toBe(0);
    expect(cli("cluster", "exec", "--name", NAME, "--", "true").out).toContain("cluster up");
    expect(hostNetwork()).toBe(before);
  });
});
