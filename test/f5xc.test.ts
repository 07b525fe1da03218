// tailnet-egress f5xc: origin pools and a health check for the release's Service. Golden: every
// test/helm/*.in.yaml and test/f5xc/*.in.yaml gives test/f5xc/<case>.out.json (the objects) and
// test/f5xc/<case>.apply.sh (the script --out writes next to them; test/f5xc-apply.test.ts runs it).
// Review changes, then rewrite the goldens with: UPDATE_GOLDEN=1 npx vitest run test/f5xc.test.ts
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../tools/src/cli/args.ts";
import { run as f5xcCommand } from "../tools/src/cli/commands/f5xc.ts";
import { isXcName, xcName, XC_NAME_MAX } from "../tools/src/f5xc/names.ts";
import { f5xcPlan, poolTable, type F5xcOptions } from "../tools/src/f5xc/objects.ts";
import { APPLY_SCRIPT, objectJson, outFiles } from "../tools/src/f5xc/out-dir.ts";
import { GOLDEN_NAMESPACE, GOLDEN_RELEASE } from "../tools/src/helm/helm.ts";
import { servicePorts } from "../tools/src/helm/manifests.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { goldenInputs, manifestsOf, valuesOf } from "./lib/cases.ts";

const DIR = repoPath("test/f5xc");
const OPTIONS: F5xcOptions = {
  release: GOLDEN_RELEASE,
  namespace: GOLDEN_NAMESPACE,
  locator: { kind: "virtual_site", namespace: "shared", name: "ves-io-all-res", tenant: "ves-io" },
};
const cases = [
  ...goldenInputs().map((c) => c.file),
  ...readdirSync(DIR)
    .filter((f) => f.endsWith(".in.yaml"))
    .map((f) => join(DIR, f)),
].sort((a, b) => basename(a).localeCompare(basename(b)));

describe("f5xc golden", () => {
  it.each(cases.map((f) => [basename(f, ".in.yaml"), f] as const))("%s", async (name, file) => {
    const plan = f5xcPlan(await valuesOf(file), OPTIONS);
    const out = `${JSON.stringify({ table: poolTable(plan.rows).split("\n"), healthchecks: plan.healthchecks, origin_pools: plan.origin_pools }, null, 2)}\n`;
    const golden = join(DIR, `${name}.out.json`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, out);
    expect(existsSync(golden), `${golden} is missing: UPDATE_GOLDEN=1 npx vitest run test/f5xc.test.ts`).toBe(true);
    expect(out).toBe(readFileSync(golden, "utf8"));
    const script = outFiles(plan).find((f) => f.path === APPLY_SCRIPT)!.content;
    const scriptGolden = join(DIR, `${name}.apply.sh`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(scriptGolden, script);
    expect(existsSync(scriptGolden), `${scriptGolden} is missing: UPDATE_GOLDEN=1 npx vitest run test/f5xc.test.ts`).toBe(true);
    expect(script).toBe(readFileSync(scriptGolden, "utf8"));
  });

  it.each(goldenInputs().map((c) => [c.name, c.file] as const))("%s: one pool per Service port, on that port", async (_n, file) => {
    const plan = f5xcPlan(await valuesOf(file), OPTIONS);
    const ports = servicePorts(await manifestsOf(file));
    const health = ports.find((p) => p.name === "health")!;
    expect(plan.origin_pools.map((p) => p.spec.port)).toEqual(ports.filter((p) => p !== health).map((p) => p.port));
    const names = plan.origin_pools.map((p) => p.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of plan.origin_pools) {
      expect(isXcName(p.metadata.name)).toBe(true);
      expect(p.spec.no_tls).toEqual({});
      expect(p.spec.health_check_port).toBe(health.port);
      const tailnet = p.metadata.labels["tailscale-egress-tailnet"];
      const hc = plan.healthchecks.find((h) => h.metadata.labels["tailscale-egress-tailnet"] === tailnet)!;
      expect(p.spec.healthcheck).toEqual([{ namespace: GOLDEN_NAMESPACE, name: hc.metadata.name }]);
      expect(hc.spec.http_health_check).toMatchObject({ path: `/ready/${tailnet}` });
      expect(JSON.stringify(p)).not.toMatch(/UDP/i);
    }
  });
});

describe("f5xc options", () => {
  const file = goldenInputs()[0]!.file;
  const server = async (o: Partial<F5xcOptions>) => (f5xcPlan(await valuesOf(file), { ...OPTIONS, ...o }).origin_pools[0]!.spec.origin_servers as Record<string, unknown>[])[0];

  it("targets a CE site's inside network, in another F5 XC namespace", async () => {
    const o = { locator: { kind: "site", namespace: "system", name: "ce-1" }, network: "inside", xcNamespace: "apps" } as const;
    expect(await server(o)).toEqual({
      k8s_service: { service_name: "tailscale-egress.egress", protocol: "PROTOCOL_TCP", site_locator: { site: { namespace: "system", name: "ce-1" } }, inside_network: {} },
    });
    const plan = f5xcPlan(await valuesOf(file), { ...OPTIONS, ...o });
    expect(plan.origin_pools[0]!.metadata.namespace).toBe("apps");
    expect(plan.healthchecks[0]!.metadata.namespace).toBe("apps");
  });

  it("names the Service after the release, as the chart does", async () => {
    const k8s = ((await server({ release: "edge" })) as { k8s_service: { service_name: string } }).k8s_service;
    expect(k8s.service_name).toBe("edge-tailscale-egress.egress");
  });
});

describe("xcName", () => {
  it("keeps a valid name as it is", () => {
    expect(xcName("tailscale-egress", "corp", "web")).toBe("tailscale-egress-corp-web");
  });

  it("shortens a long name to 63 characters with a stable hash", () => {
    const parts = ["tailscale-egress", "customer-acme-production-eu-central-tailnet-main", "tcp-10000"];
    const name = xcName(...parts);
    expect(name).toHaveLength(XC_NAME_MAX);
    expect(name).toBe(xcName(...parts));
    expect(name).toMatch(new RegExp(`^${parts.join("-").slice(0, XC_NAME_MAX - 9)}-[0-9a-f]{8}$`));
    expect(isXcName(name)).toBe(true);
    expect(xcName(...parts.slice(0, 2), "tcp-10001")).not.toBe(name);
  });

  it("makes any input a DNS-1035 name, and distinct inputs distinct names", () => {
    for (const parts of [["1release", "corp"], ["Rel_Ease", "corp."], ["-a-", "b"], ["x".repeat(200)]]) {
      expect(isXcName(xcName(...parts)), parts.join("-")).toBe(true);
    }
    expect(xcName("a.b")).not.toBe(xcName("a-b"));
  });
});

describe("tailnet-egress f5xc", () => {
  const file = goldenInputs()[1]!.file;
  const args = ["-f", file, "--namespace", GOLDEN_NAMESPACE];

  it("writes one file per object and the golden apply.sh with --out, and nothing else", async () => {
    const out = mkdtempSync(join(tmpdir(), "tse-f5xc-"));
    try {
      expect(await f5xcCommand([...args, "--virtual-site", "shared/ves-io-all-res", "--tenant", "ves-io", "--out", out])).toBe(0);
      const plan = f5xcPlan(await valuesOf(file), OPTIONS);
      const written = readdirSync(out, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name).slice(out.length + 1))
        .sort();
      const objects = [...plan.healthchecks.map((h) => [`healthcheck/${h.metadata.name}.json`, h] as const), ...plan.origin_pools.map((p) => [`origin_pool/${p.metadata.name}.json`, p] as const)];
      expect(written).toEqual([APPLY_SCRIPT, ...objects.map(([path]) => path)].sort());
      for (const [path, o] of objects) expect(readFileSync(join(out, path), "utf8")).toBe(objectJson(o));
      expect(readFileSync(join(out, APPLY_SCRIPT), "utf8")).toBe(readFileSync(join(DIR, `${basename(file, ".in.yaml")}.apply.sh`), "utf8"));
      expect(statSync(join(out, APPLY_SCRIPT)).mode & 0o111).not.toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.each([
    ["no locator", []],
    ["two locators", ["--site", "ce-1", "--virtual-site", "vs"]],
    ["an unknown network", ["--site", "ce-1", "--network", "dmz"]],
  ])("refuses %s", async (_what, extra) => {
    await expect(f5xcCommand([...args, ...extra])).rejects.toThrow(UsageError);
  });
});
