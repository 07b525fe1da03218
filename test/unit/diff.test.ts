// plan --from/--to: the step before helm upgrade that catches ports silently moving to another target.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { diffPorts } from "../../tools/src/plan/diff.ts";
import { planPorts } from "../../tools/src/plan/ports.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { valuesOf } from "../lib/cases.ts";
import { tmpValues } from "../../tools/src/local/tmp.ts";

const tailnet = (services: object[], extra: object = {}) => ({
  tailnets: [{ name: "corp", authKey: "k", services, ...extra }],
});
const a = { host: "a.ts.net", port: 1 };
const b = { host: "b.ts.net", port: 2 };
const c = { host: "c.ts.net", port: 3 };
const cli = (...args: string[]) =>
  execa("node", [repoPath("bin/tailnet-egress.js"), "plan", ...args], { reject: false });

describe("port diff", () => {
  it("removing the first unpinned service shifts every later port to another target", async () => {
    const before = planPorts(await valuesOf(tmpValues(tailnet([a, b, c]))));
    const after = planPorts(await valuesOf(tmpValues(tailnet([b, c]))));
    expect(diffPorts(before, after).map((x) => [x.kind, x.port])).toEqual([
      ["changed", 10000],
      ["changed", 10001],
      ["removed", 10002],
    ]);
  });

  it("pinned listenPorts keep their targets when an earlier service is removed", async () => {
    const pinned = (s: object, p: number) => ({ ...s, listenPort: p });
    const before = planPorts(
      await valuesOf(tmpValues(tailnet([pinned(a, 10000), pinned(b, 10001), pinned(c, 10002)]))),
    );
    const after = planPorts(await valuesOf(tmpValues(tailnet([pinned(b, 10001), pinned(c, 10002)]))));
    expect(diffPorts(before, after).map((x) => [x.kind, x.port])).toEqual([["removed", 10000]]);
  });

  it("a pinned slot keeps a tailnet's ports when an earlier tailnet is removed", async () => {
    const two = {
      tailnets: [
        { name: "x", authKey: "k", services: [a] },
        { name: "corp", authKey: "k", slot: 1, services: [b] },
      ],
    };
    const one = { tailnets: [{ name: "corp", authKey: "k", slot: 1, services: [b] }] };
    const diff = diffPorts(planPorts(await valuesOf(tmpValues(two))), planPorts(await valuesOf(tmpValues(one))));
    expect(diff.map((x) => [x.kind, x.port])).toEqual([["removed", 10000]]);
  });

  it("a tailnet rename is a change of target", async () => {
    const diff = diffPorts(
      planPorts(await valuesOf(tmpValues(tailnet([a])))),
      planPorts(await valuesOf(tmpValues({ tailnets: [{ name: "lab", authKey: "k", services: [a] }] }))),
    );
    expect(diff.map((x) => x.kind)).toEqual(["changed"]);
  });
});

describe("tailnet-egress plan --from --to", () => {
  it("exits 1 on a changed target and names the ports", async () => {
    const r = await cli("--from", tmpValues(tailnet([a, b])), "--to", tmpValues(tailnet([b])));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/changed\s+10000\s+corp\/a\.ts\.net:1\s+corp\/b\.ts\.net:2/);
    expect(r.stdout).toMatch(/removed\s+10001\s+corp\/b\.ts\.net:2\s+-/);
    expect(r.stderr).toContain("refused: 1 port(s) would lead to a different target (10000)");
  });
  it("--allow-remap accepts it; additions alone are fine", async () => {
    expect(
      (await cli("--from", tmpValues(tailnet([a, b])), "--to", tmpValues(tailnet([b])), "--allow-remap")).exitCode,
    ).toBe(0);
    const r = await cli("--from", tmpValues(tailnet([a])), "--to", tmpValues(tailnet([a, b])));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/added\s+10001/);
  });
});
