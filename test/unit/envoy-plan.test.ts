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

const serviceClusters = (f: JsonObject) => resources(f).filter((c) => c.name.includes("_"));

describe("Envoy edge settings", () => {
  it("128 KiB per-connection buffers on every listener and service cluster (Envoy's default is 1 MiB)", async () => {
    const p = await plan();
    for (const l of resources(p.files["lds.json"]!)) expect(l.per_connection_buffer_limit_bytes).toBe(131072);
    const clusters = serviceClusters(p.files["cds.json"]!);
    expect(clusters.length).toBe(3);
    for (const c of clusters) expect(c.per_connection_buffer_limit_bytes).toBe(131072);
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

  it("circuit breakers, a target check through the tunnel and no panic routing on every service cluster", async () => {
    const p = await plan({
      envoy: { circuitBreakers: { maxConnections: 77 }, targetCheck: { interval: "3s", timeout: "500ms" } },
    });
    const clusters = serviceClusters(p.files["cds.json"]!);
    expect(clusters.map((c) => c.name)).toEqual(["corp_corp-web", "corp_corp-db", "lab_tcp-11000"]);
    for (const c of clusters) {
      expect(c.circuit_breakers.thresholds[0].max_connections).toBe(77);
      expect(c.common_lb_config.healthy_panic_threshold.value).toBe(0);
      // No explicit protocol options: tcp_proxy tunnels over HTTP/1.1 unless the cluster says HTTP/2.
      expect(c.typed_extension_protocol_options).toBeUndefined();
      const [check] = c.health_checks;
      expect(check).toMatchObject({
        interval: "3s",
        no_traffic_interval: "3s",
        timeout: "0.500s",
        unhealthy_threshold: 2,
        healthy_threshold: 1,
        reuse_connection: false,
      });
      const lb = c.load_assignment.endpoints[0].lb_endpoints[0].endpoint;
      const target = Buffer.from(check.tcp_health_check.send.text, "hex").toString();
      expect(target).toMatch(/^CONNECT (\S+) HTTP\/1\.1\r\nHost: \1\r\n\r\n$/);
      expect(Buffer.from(check.tcp_health_check.receive[0].text, "hex").toString()).toBe("HTTP/1.1 200");
      expect(lb.health_check_config).toBeUndefined(); // the check goes to the proxy, like the tunnels
    }
  });

  it("a service with targetCheck false follows its tailnet's /healthz, on containerboot's port", async () => {
    const doc = {
      envoy: { healthCheck: { interval: "7s" } },
      tailnets: [
        {
          name: "t",
          authKey: "tskey-auth-x",
          services: [
            { host: "a.t.ts.net", port: 1 },
            { host: "b.t.ts.net", port: 2, targetCheck: false },
          ],
        },
      ],
    };
    const q = planEnvoy(await valuesOf(tmpValues(doc)), "x");
    const [a, b] = serviceClusters(q.files["cds.json"]!) as [Any, Any];
    expect(a.health_checks[0].tcp_health_check).toBeDefined();
    expect(b.health_checks[0]).toEqual(
      resources(q.files["cds.json"]!).find((c) => c.name === "health-t")!.health_checks[0],
    );
    expect(b.health_checks[0].interval).toBe("7s");
    expect(b.load_assignment.endpoints[0].lb_endpoints[0].endpoint.health_check_config).toEqual({ port_value: 10700 });
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
    const hcm = resources(p.files["lds.json"]!).find((l) => l.name === "health")!.filter_chains[0].filters[0]
      .typed_config;
    expect(hcm.rds.config_source.path_config_source.path).toBe("/etc/envoy/rds.json");
    const routes = resources(p.files["rds.json"]!)[0]!.virtual_hosts[0].routes;
    expect(routes.map((r: Any) => r.match.path)).toEqual([
      "/live",
      "/ready",
      "/stats/prometheus",
      "/drain-wait",
      "/ready/corp",
      "/metrics/corp",
      "/ready/corp/corp-web",
      "/ready/corp/corp-db",
      "/ready/lab",
      "/metrics/lab",
      "/ready/lab/tcp-11000",
    ]);
    expect(routes.find((r: Any) => r.match.path === "/ready/corp/corp-db").route.cluster).toBe("corp_corp-db");
  });
});
