// FOR THE BENCHMARK ONLY: the Envoy config of the origin Terraform templates (fadlytabrani/f5xc-tailnet-egress,
// outputs/envoy/manifests/05-configmap.yaml), generated from the same port plan as the chart, so the data-plane
// benchmark can run both side by side against the same tailnet proxy. Origin style means: one static bootstrap
// (static_resources, no LDS/CDS files), one cluster per service, Envoy's default 1 MiB buffers (no
// per_connection_buffer_limit_bytes), no health checks, no circuit breakers, no access log. The only
// addition is an admin on 127.0.0.1 (the origin has none), so the benchmark can read stats.
import type { Values } from "../tools/src/generated/values.ts";
import type { JsonObject } from "../tools/src/lib/json.ts";
import { BOOTSTRAP_FILE } from "../tools/src/plan/envoy.ts";
import { planPorts } from "../tools/src/plan/ports.ts";

const socket = (address: string, port: number): JsonObject => ({ socket_address: { address, port_value: port } });

/** Envoy files ({ "envoy.json": bootstrap }) in the origin templates' style, for the same values. */
export function originStyleFiles(values: Values): Record<string, JsonObject> {
  const plan = planPorts(values);
  const proxyPort = new Map(plan.tailnets.map((t) => [t.name, t.proxyPort]));
  const clusterOf = (i: number): string => `origin_cluster_${i}`;
  return {
    [BOOTSTRAP_FILE]: {
      admin: { address: socket("127.0.0.1", values.envoy.adminPort) },
      static_resources: {
        listeners: plan.services.map((s, i) => ({
          name: `listener-${s.listenPort}`,
          address: socket("0.0.0.0", s.listenPort),
          filter_chains: [
            {
              filters: [
                {
                  name: "tcp",
                  typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
                    cluster: clusterOf(i),
                    stat_prefix: `tcp_stats_${i}`,
                    tunneling_config: { hostname: s.target },
                  },
                },
              ],
            },
          ],
        })),
        clusters: plan.services.map((s, i) => ({
          name: clusterOf(i),
          connect_timeout: s.connectTimeout,
          load_assignment: {
            cluster_name: clusterOf(i),
            endpoints: [{ lb_endpoints: [{ endpoint: { address: socket("127.0.0.1", proxyPort.get(s.tailnet)!) } }] }],
          },
          typed_extension_protocol_options: {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
              "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
              explicit_http_config: { http_protocol_options: {} },
            },
          },
        })),
      },
    },
  };
}
