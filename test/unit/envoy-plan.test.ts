// Envoy edge settings as the plan renders them: each is a property an operator relies on.
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../tools/src/lib/json.ts";
import { planEnvoy } from "../../tools/src/plan/envoy.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { valuesOf } from "../lib/cases.ts";
import { tmpValues } from "../../tools/src/local/tmp.ts";

// Walking parsed JSON in assertions; `any` stays inside this test file.
// biome-ignore lint/suspicious/noExplicitAny: assertions walk parsed JSON of any shape
type Any = Record<string, any>;
const example = repoPath("examples/values.yaml");
const plan = async (...extra: object[]) =>
  planEnvoy(await valuesOf(example, ...extra.map((e) => tmpValues(e))), "tailscale-egress");
const resources = (f: JsonObject) => (f as Any).resources as Any[];

describe("Envoy edge settings", () => {
  it("128 KiB per-connection buffers on every listener and tailnet cluster (Envoy's default is 1 MiB)", async () => {
    const p = await plan();
    for (const l of resources(p.files["lds.json"]!)) expect(l.per_connection_buffer_limit_bytes).toBe(131072);
    for (const c of resources(p.files["cds.json"]!).filter((c) => c.name.startsWith("ts-")))
      expect(c.per_connection_buffer_limit_bytes).toBe(131072);
  });

  it("a global downstream connection limit in the overload manager, which the health port ignores", async () => {
    const p = await plan({ envoy: { maxDownstreamConnections: 1234 } });
    const monitors = (p.files["envoy.json"] as Any).overload_manager.resource_monitors;
    expect(monitors).toEqual([
      expect.objectContaining({
        name: "envoy.resource_monitors.global_downstream_max_connections",
        typed_config: expect.objectContaining({ max_active_downstream_connections: 1234 }),
      }),
    ]);
    const health = resources(p.files["lds.json"]!).find((l) => l.name === "health")!;
    expect(health.ignore_global_conn_limit).toBe(true);
  });

  it("circuit breakers, an active health check and no panic routing on every tailnet cluster", async () => {
    const p = await plan({ envoy: { circuitBreakers: { maxConnections: 77 } } });
    const tailnetClusters = resources(p.files["cds.json"]!).filter((c) => c.name.startsWith("ts-"));
    expect(tailnetClusters.length).toBe(3);
    for (const c of tailnetClusters) {
      expect(c.circuit_breakers.thresholds[0].max_connections).toBe(77);
      expect(c.common_lb_config.healthy_panic_threshold.value).toBe(0);
      expect(c.health_checks[0].http_health_check.path).toBe("/healthz");
      expect(
        c.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
          .explicit_http_config,
      ).toEqual({ http_protocol_options: {} });
    }
  });

  it("an idle timeout and a JSON access log with response flags, upstream failure reason and bytes on every service listener", async () => {
    const p = await plan({ envoy: { idleTimeout: "90s" } });
    const services = resources(p.files["lds.json"]!).filter((l) => l.name !== "health");
    for (const l of services) {
      const tcp = l.filter_chains[0].filters[0].typed_config;
      expect(tcp.idle_timeout).toBe("90s");
      const fmt = tcp.access_log[0].typed_config.log_format.json_format;
      expect(fmt).toMatchObject({
        response_flags: "%RESPONSE_FLAGS%",
        upstream_failure: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
        bytes_received: "%BYTES_RECEIVED%",
        bytes_sent: "%BYTES_SENT%",
      });
    }
    const quiet = await plan({ envoy: { accessLog: false } });
    for (const l of resources(quiet.files["lds.json"]!).filter((l) => l.name !== "health"))
      expect(l.filter_chains[0].filters[0].typed_config.access_log).toBeUndefined();
  });

  it("admin on loopback only; Prometheus stats through the health listener", async () => {
    const p = await plan();
    expect((p.files["envoy.json"] as Any).admin.address.socket_address.address).toBe("127.0.0.1");
    const routes = resources(p.files["lds.json"]!).find((l) => l.name === "health")!.filter_chains[0].filters[0]
      .typed_config.route_config.virtual_hosts[0].routes;
    expect(routes.map((r: Any) => r.match.path)).toEqual([
      "/live",
      "/ready",
      "/stats/prometheus",
      "/drain-wait",
      "/ready/corp",
      "/metrics/corp",
      "/ready/lab",
      "/metrics/lab",
    ]);
  });
});
