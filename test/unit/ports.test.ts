import { describe, expect, it } from "vitest";
import type { Values } from "../../tools/src/generated/values.ts";
import { durationMs, envoyDuration } from "../../tools/src/plan/duration.ts";
import { planPorts } from "../../tools/src/plan/ports.ts";
import { valuesOf } from "../lib/cases.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";

const base = await valuesOf(repoPath("test/helm/01-one-tailnet.in.yaml"));
const withTailnets = (tailnets: Values["tailnets"]): Values => ({ ...base, tailnets });
const svc = (host: string, port = 80) => ({ host, port });

describe("port plan", () => {
  it("gives service s of tailnet t port 10000 + t*1000 + s and the proxy 10550 + t", () => {
    const plan = planPorts(
      withTailnets([
        { name: "a", authKey: "k", services: [svc("a1"), svc("a2"), svc("a3")] },
        { name: "b", authKey: "k", services: [svc("b1")] },
        { name: "c", authKey: "k", services: [svc("c1"), svc("c2")] },
      ]),
    );
    expect(plan.services.map((s) => s.listenPort)).toEqual([10000, 10001, 10002, 11000, 12000, 12001]);
    expect(plan.tailnets.map((t) => t.proxyPort)).toEqual([10550, 10551, 10552]);
    expect(plan.services.map((s) => s.portName)).toEqual([
      "tcp-10000",
      "tcp-10001",
      "tcp-10002",
      "tcp-11000",
      "tcp-12000",
      "tcp-12001",
    ]);
  });

  it("honours a pinned slot and a pinned listenPort", () => {
    const plan = planPorts(
      withTailnets([
        { name: "a", authKey: "k", slot: 7, services: [svc("a1"), { ...svc("a2"), listenPort: 20000 }, svc("a3")] },
        { name: "b", authKey: "k", services: [svc("b1")] },
      ]),
    );
    expect(plan.services.map((s) => s.listenPort)).toEqual([17000, 20000, 17002, 11000]);
    expect(plan.tailnets.map((t) => t.proxyPort)).toEqual([10557, 10551]);
  });

  it("brackets IPv6 targets and names stats after tailnet and service", () => {
    const plan = planPorts(
      withTailnets([{ name: "a", authKey: "k", services: [{ host: "fd7a:115c:a1e0::1", port: 443, name: "web" }] }]),
    );
    expect(plan.services[0]).toMatchObject({ target: "[fd7a:115c:a1e0::1]:443", statPrefix: "a.web", portName: "web" });
  });

  it("gives every service its own cluster, <tailnet>_<service>, with its own connect timeout", () => {
    const plan = planPorts(
      withTailnets([
        {
          name: "a",
          authKey: "k",
          connectTimeout: "2s",
          services: [
            svc("x"),
            { ...svc("y"), connectTimeout: "250ms" },
            { ...svc("z"), connectTimeout: "0.25s" },
            { ...svc("w"), connectTimeout: "2000ms" },
          ],
        },
      ]),
    );
    expect(plan.services.map((s) => s.cluster)).toEqual(["a_tcp-10000", "a_tcp-10001", "a_tcp-10002", "a_tcp-10003"]);
    expect(plan.services.map((s) => s.connectTimeout)).toEqual(["2s", "0.250s", "0.250s", "2s"]);
  });

  it("checks every target unless the service or envoy.targetCheck.enabled says not", () => {
    const two = (enabled: boolean): Values => ({
      ...withTailnets([{ name: "a", authKey: "k", services: [svc("x"), { ...svc("y"), targetCheck: !enabled }] }]),
      envoy: { ...base.envoy, targetCheck: { ...base.envoy.targetCheck, enabled } },
    });
    expect(planPorts(two(true)).services.map((s) => s.targetCheck)).toEqual([true, false]);
    expect(planPorts(two(false)).services.map((s) => s.targetCheck)).toEqual([false, true]);
  });

  it("reserves the Envoy admin and health ports", () => {
    expect(planPorts(base).reserved).toEqual([
      { name: "envoy-admin", port: 10500, owner: "envoy.adminPort" },
      { name: "health", port: 10501, owner: "envoy.healthPort" },
    ]);
  });
});

describe("durations", () => {
  it.each([
    ["5s", 5000, "5s"],
    ["1.5s", 1500, "1.500s"],
    ["0.57s", 570, "0.570s"],
    ["250ms", 250, "0.250s"],
    ["60000ms", 60000, "60s"],
  ])("%s is %i ms, %s in Envoy", (text, ms, envoy) => {
    expect(durationMs(text)).toBe(ms);
    expect(envoyDuration(ms)).toBe(envoy);
  });
  it("refuses other forms", () => {
    for (const t of ["5", "1m", "5 s", "-1s", "1.2345s"]) expect(durationMs(t)).toBeUndefined();
  });
});
