// tailnet-egress f5xc: origin pools and a health check for the release's Service. The golden outputs
// (<case>.f5xc.json and <case>.apply.sh next to each golden case) are checked by test/golden.test.ts and
// rewritten by npm run golden -- --update; this file checks what every case must hold and the command's options.
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { planPorts } from "../tools/src/plan/ports.ts";
import { describe, expect, it } from "vitest";
import { UsageError } from "../tools/src/cli/args.ts";
import { run as f5xcCommand } from "../tools/src/cli/commands/f5xc.ts";
import { isXcName, xcName, XC_NAME_MAX } from "../tools/src/f5xc/names.ts";
import { f5xcPlan, type F5xcOptions } from "../tools/src/f5xc/objects.ts";
import { APPLY_SCRIPT, objectJson } from "../tools/src/f5xc/out-dir.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { GOLDEN_F5XC as OPTIONS } from "../tools/src/golden/f5xc.ts";
import { GOLDEN_NAMESPACE } from "../tools/src/helm/helm.ts";
import { servicePorts } from "../tools/src/helm/manifests.ts";
import { manifestsOf, valuesOf } from "./lib/cases.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";

describe("f5xc objects of every golden case", () => {
  it.each(goldenCases().map((c) => [c.name, c.file] as const))(
    "%s: one pool per Service port, on that port",
    async (_n, file) => {
      const plan = f5xcPlan(await valuesOf(file), OPTIONS);
      const ports = servicePorts(await manifestsOf(file));
      const health = ports.find((p) => p.name === "health")!;
      expect(plan.origin_pools.map((p) => p.spec.port)).toEqual(ports.filter((p) => p !== health).map((p) => p.port));
      const names = [...plan.origin_pools, ...plan.healthchecks].map((p) => p.metadata.name);
      expect(new Set(names).size).toBe(names.length);
      expect(plan.healthchecks).toHaveLength(plan.origin_pools.length);
      for (const p of plan.origin_pools) {
        expect(isXcName(p.metadata.name)).toBe(true);
        expect(p.spec.no_tls).toEqual({});
        expect(p.spec.health_check_port).toBe(health.port);
        // Each pool has a health check of its own, on its service's path: F5 XC takes exactly that pool out.
        const tailnet = p.metadata.labels["tailscale-egress-tailnet"];
        const port = Number(p.metadata.labels["tailscale-egress-port"]);
        const svc = planPorts(await valuesOf(file)).services.find((s) => s.listenPort === port)!;
        expect(svc.tailnet).toBe(tailnet);
        const [ref] = p.spec.healthcheck as { namespace: string; name: string }[];
        const hc = plan.healthchecks.find((h) => h.metadata.name === ref!.name)!;
        expect(ref!.namespace).toBe(GOLDEN_NAMESPACE);
        expect(hc.spec.http_health_check).toMatchObject({ path: `/ready/${tailnet}/${svc.portName}` });
        expect(JSON.stringify(p)).not.toMatch(/UDP/i);
      }
    },
  );
});

describe("f5xc options", () => {
  const file = goldenCases()[0]!.file;
  const server = async (o: Partial<F5xcOptions>) =>
    (
      f5xcPlan(await valuesOf(file), { ...OPTIONS, ...o }).origin_pools[0]!.spec.origin_servers as Record<
        string,
        unknown
      >[]
    )[0];

  it("targets a CE site's inside network, in another F5 XC namespace", async () => {
    const o = {
      locator: { kind: "site", namespace: "system", name: "ce-1" },
      network: "inside",
      xcNamespace: "apps",
    } as const;
    expect(await server(o)).toEqual({
      k8s_service: {
        service_name: "tailscale-egress.egress",
        protocol: "PROTOCOL_TCP",
        site_locator: { site: { namespace: "system", name: "ce-1" } },
        inside_network: {},
      },
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
  const golden = goldenCases()[1]!;
  const file = golden.file;
  const args = ["-f", file, "--namespace", GOLDEN_NAMESPACE];

  it("writes one file per object and the golden apply.sh with --out, and nothing else", async () => {
    const out = tempDir("tse-f5xc");
    try {
      expect(
        await f5xcCommand([...args, "--virtual-site", "shared/ves-io-all-res", "--tenant", "ves-io", "--out", out]),
      ).toBe(0);
      const plan = f5xcPlan(await valuesOf(file), OPTIONS);
      const written = readdirSync(out, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name).slice(out.length + 1))
        .sort();
      const objects = [
        ...plan.healthchecks.map((h) => [`healthcheck/${h.metadata.name}.json`, h] as const),
        ...plan.origin_pools.map((p) => [`origin_pool/${p.metadata.name}.json`, p] as const),
      ];
      expect(written).toEqual([APPLY_SCRIPT, ...objects.map(([path]) => path)].sort());
      for (const [path, o] of objects) expect(readFileSync(join(out, path), "utf8")).toBe(objectJson(o));
      expect(readFileSync(join(out, APPLY_SCRIPT), "utf8")).toBe(readFileSync(golden.applyOut, "utf8"));
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
