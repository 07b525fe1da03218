// The constraints F5 XC's API reference states for origin pools and health checks (tools/src/f5xc/constraints.ts):
// each is checked on the objects, named by object and field, and reached from the CLI flag that sets it.
import { describe, expect, it } from "vitest";
import { UsageError } from "../tools/src/cli/args.ts";
import { run as f5xcCommand } from "../tools/src/cli/commands/f5xc.ts";
import { checkHealthcheck, checkOriginPool, checkXcObjects, formatXcErrors } from "../tools/src/f5xc/constraints.ts";
import { f5xcPlan, type XcObject } from "../tools/src/f5xc/objects.ts";
import { GOLDEN_F5XC as OPTIONS } from "../tools/src/golden/f5xc.ts";
import { GOLDEN_NAMESPACE } from "../tools/src/helm/helm.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { valuesOf } from "./lib/cases.ts";

const file = goldenCases()[0]!.file;
const plan = async () => f5xcPlan(await valuesOf(file), OPTIONS);
const clone = (o: XcObject): XcObject => structuredClone(o);

async function healthcheckWith(edit: (spec: Record<string, unknown>) => void): Promise<XcObject> {
  const hc = clone((await plan()).healthchecks[0]!);
  edit(hc.spec as Record<string, unknown>);
  return hc;
}
async function poolWith(edit: (k8s: Record<string, unknown>) => void): Promise<XcObject> {
  const pool = clone((await plan()).origin_pools[0]!);
  edit((pool.spec.origin_servers as { k8s_service: Record<string, unknown> }[])[0]!.k8s_service);
  return pool;
}
const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe("every golden case meets the constraints", () => {
  it.each(goldenCases().map((c) => [c.name, c.file] as const))("%s", async (_n, f) => {
    expect(formatXcErrors(checkXcObjects(f5xcPlan(await valuesOf(f), OPTIONS)))).toBe("");
  });
});

describe("names: DNS-1035, at most 63 characters", () => {
  it.each([
    ["too long", "a".repeat(64), /is 64 characters; at most 63/],
    ["starting with a digit", "1pool", /not a DNS-1035 label/],
    ["with uppercase", "Pool", /not a DNS-1035 label/],
    ["ending with '-'", "pool-", /not a DNS-1035 label/],
  ])("refuses a name %s", async (_what, name, message) => {
    const pool = clone((await plan()).origin_pools[0]!);
    pool.metadata.name = name;
    const errors = checkOriginPool(pool);
    expect(fields(errors)).toEqual(["metadata.name"]);
    expect(errors[0]!.message).toMatch(message);
    expect(errors[0]!.object).toBe(`origin_pool ${name}`);
  });

  it("accepts 63 characters", async () => {
    const hc = clone((await plan()).healthchecks[0]!);
    hc.metadata.name = `a${"b".repeat(62)}`;
    expect(checkHealthcheck(hc)).toEqual([]);
  });
});

describe("health check", () => {
  it.each([[1], [600], [15]])("accepts interval %i", async (v) => {
    expect(checkHealthcheck(await healthcheckWith((s) => (s.interval = v)))).toEqual([]);
  });
  it.each([[0], [601], [1.5]])("refuses interval %s", async (v) => {
    const errors = checkHealthcheck(await healthcheckWith((s) => (s.interval = v)));
    expect(fields(errors)).toEqual(["spec.interval"]);
    expect(errors[0]!.message).toContain("1..600");
  });

  it.each([[0], [10], [33], [50]])("accepts jitter_percent %i", async (v) => {
    expect(checkHealthcheck(await healthcheckWith((s) => (s.jitter_percent = v)))).toEqual([]);
  });
  it.each([[1], [9], [51], [100]])("refuses jitter_percent %i", async (v) => {
    const errors = checkHealthcheck(await healthcheckWith((s) => (s.jitter_percent = v)));
    expect(fields(errors)).toEqual(["spec.jitter_percent"]);
    expect(errors[0]!.message).toContain("0 (no jitter) or an integer 10..50");
  });

  it("needs a path of at most 2048 characters, starting with /", async () => {
    const withPath = (path: unknown) =>
      healthcheckWith((s) => ((s.http_health_check as Record<string, unknown>).path = path));
    expect(checkHealthcheck(await withPath(`/${"p".repeat(2047)}`))).toEqual([]);
    for (const bad of [`/${"p".repeat(2048)}`, "ready", undefined]) {
      const errors = checkHealthcheck(await withPath(bad));
      expect(fields(errors)).toEqual(["spec.http_health_check.path"]);
      expect(errors[0]!.message).toMatch(/a path starting with \/, at most 2048 characters/);
    }
  });

  it("refuses a timeout below 1", async () => {
    expect(fields(checkHealthcheck(await healthcheckWith((s) => (s.timeout = 0))))).toEqual(["spec.timeout"]);
  });

  const setCodes = (codes: unknown) =>
    healthcheckWith((s) => ((s.http_health_check as Record<string, unknown>).expected_status_codes = codes));
  it("needs expected_status_codes explicitly", async () => {
    for (const codes of [undefined, []]) {
      const errors = checkHealthcheck(await setCodes(codes));
      expect(fields(errors)).toEqual(["spec.http_health_check.expected_status_codes"]);
      expect(errors[0]!.message).toContain("explicitly");
    }
  });
  it("allows 16 expected status codes and refuses 17", async () => {
    const codes = Array.from({ length: 17 }, (_, i) => String(200 + i));
    expect(checkHealthcheck(await setCodes(codes.slice(0, 16)))).toEqual([]);
    const errors = checkHealthcheck(await setCodes(codes));
    expect(fields(errors)).toEqual(["spec.http_health_check.expected_status_codes"]);
    expect(errors[0]!.message).toContain("17 entries; at most 16");
  });
  it("refuses an entry that is not a status code or range", async () => {
    expect(checkHealthcheck(await setCodes(["200-299"]))).toEqual([]);
    expect(fields(checkHealthcheck(await setCodes(["200", "ok", "2xx"])))).toEqual([
      "spec.http_health_check.expected_status_codes[1]",
      "spec.http_health_check.expected_status_codes[2]",
    ]);
  });
});

describe("origin pool", () => {
  const locator = "spec.origin_servers[0].k8s_service.site_locator";
  it("needs exactly one of site_locator.site and virtual_site", async () => {
    const none = checkOriginPool(await poolWith((k) => (k.site_locator = {})));
    expect(fields(none)).toEqual([locator]);
    expect(none[0]!.message).toContain("exactly one of site and virtual_site (found none");
    const both = checkOriginPool(
      await poolWith(
        (k) =>
          (k.site_locator = {
            site: { namespace: "system", name: "ce" },
            virtual_site: { namespace: "shared", name: "vs" },
          }),
      ),
    );
    expect(fields(both)).toEqual([locator]);
    expect(both[0]!.message).toContain("found site and virtual_site");
  });

  it("needs exactly one network choice", async () => {
    const none = checkOriginPool(await poolWith((k) => delete k.vk8s_networks));
    expect(fields(none)).toEqual(["spec.origin_servers[0].k8s_service"]);
    expect(none[0]!.message).toContain(
      "exactly one network choice of vk8s_networks, inside_network, outside_network (found none",
    );
    const two = checkOriginPool(await poolWith((k) => (k.inside_network = {})));
    expect(two[0]!.message).toContain("found vk8s_networks and inside_network");
  });
});

describe("the CLI refuses bad flags with the field and the flag", () => {
  const args = ["-f", file, "--namespace", GOLDEN_NAMESPACE, "--virtual-site", "shared/ves-io-all-res", "--table"];
  it.each([
    [["--hc-interval", "601"], "spec.interval: 601 is not allowed", "--hc-interval"],
    [["--hc-interval", "0"], "spec.interval: 0 is not allowed", "--hc-interval"],
    [["--hc-jitter-percent", "5"], "spec.jitter_percent: 5 is not allowed", "--hc-jitter-percent"],
    [
      ["--hc-expected-status", ""],
      "expected_status_codes: must list the healthy status codes explicitly",
      "--hc-expected-status",
    ],
    [
      ["--hc-expected-status", Array.from({ length: 17 }, (_, i) => 200 + i).join(",")],
      "17 entries; at most 16",
      "--hc-expected-status",
    ],
    [["--hc-interval", "ten"], '--hc-interval "ten" is not a whole number', "--hc-interval"],
  ])("%j", async (extra, message, flag) => {
    const e = await f5xcCommand([...args, ...extra]).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain(message);
    expect((e as Error).message).toContain(flag);
  });

  it("emits the health check settings it is given", async () => {
    const p = f5xcPlan(await valuesOf(file), {
      ...OPTIONS,
      healthcheck: {
        interval: 30,
        timeout: 5,
        jitterPercent: 10,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        expectedStatusCodes: ["200", "204"],
      },
    });
    expect(p.healthchecks[0]!.spec).toMatchObject({
      interval: 30,
      timeout: 5,
      jitter_percent: 10,
      http_health_check: { expected_status_codes: ["200", "204"] },
    });
  });
});
