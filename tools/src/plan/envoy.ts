// The Envoy plan: one pure function from values to the files of the Envoy ConfigMap.
// templates/_envoy.tpl renders the same objects; test/chart-vs-plan.test.ts proves it for every case.
import { createHash } from "node:crypto";
import type { Values } from "../generated/values.ts";
import { goJson } from "../lib/gojson.ts";
import { fullname } from "./names.ts";
import { planPorts, type PlannedCluster, type PlannedService, type PortPlan } from "./ports.ts";

/** Where the ConfigMap is mounted in the Envoy container (a directory mount, never subPath). */
export const ENVOY_CONFIG_DIR = "/etc/envoy";
export const BOOTSTRAP_FILE = "envoy.json";
export const LDS_FILE = "lds.json";
export const CDS_FILE = "cds.json";

const T = {
  listener: "type.googleapis.com/envoy.config.listener.v3.Listener",
  cluster: "type.googleapis.com/envoy.config.cluster.v3.Cluster",
  tcpProxy: "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
  httpOptions: "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
} as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface EnvoyPlan {
  ports: PortPlan;
  /** File name -> parsed content, exactly as in the ConfigMap. */
  files: Record<string, JsonObject>;
}

const socket = (address: string, port: number): JsonObject => ({
  socket_address: { address, port_value: port },
});

function pathSource(file: string): JsonObject {
  return {
    resource_api_version: "V3",
    path_config_source: { path: `${ENVOY_CONFIG_DIR}/${file}`, watched_directory: { path: ENVOY_CONFIG_DIR } },
  };
}

export function bootstrap(values: Values, release: string): JsonObject {
  const name = fullname(values, release);
  return {
    node: { id: name, cluster: name },
    admin: { address: socket("127.0.0.1", values.envoy.adminPort) },
    dynamic_resources: { lds_config: pathSource(LDS_FILE), cds_config: pathSource(CDS_FILE) },
  };
}

export function listener(svc: PlannedService): JsonObject {
  return {
    "@type": T.listener,
    name: `listener-${svc.listenPort}`,
    address: socket("0.0.0.0", svc.listenPort),
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.tcp_proxy",
            typed_config: {
              "@type": T.tcpProxy,
              stat_prefix: svc.statPrefix,
              cluster: svc.cluster,
              tunneling_config: { hostname: svc.target },
            },
          },
        ],
      },
    ],
  };
}

export function cluster(c: PlannedCluster): JsonObject {
  return {
    "@type": T.cluster,
    name: c.name,
    type: "STATIC",
    connect_timeout: c.connectTimeout,
    load_assignment: {
      cluster_name: c.name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket("127.0.0.1", c.proxyPort) } }] }],
    },
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": T.httpOptions,
        explicit_http_config: { http_protocol_options: {} },
      },
    },
  };
}

/** A DiscoveryResponse whose version_info is a digest of its resources, so stats show which config is live. */
export function discoveryResponse(resources: JsonObject[]): JsonObject {
  const version = createHash("sha256").update(goJson(resources)).digest("hex").slice(0, 16);
  return { version_info: version, resources };
}

export function planEnvoy(values: Values, release: string): EnvoyPlan {
  const ports = planPorts(values);
  return {
    ports,
    files: {
      [BOOTSTRAP_FILE]: bootstrap(values, release),
      [LDS_FILE]: discoveryResponse(ports.services.map(listener)),
      [CDS_FILE]: discoveryResponse(ports.clusters.map(cluster)),
    },
  };
}
