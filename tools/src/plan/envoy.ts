// The Envoy plan: one pure function from values to the files of the Envoy ConfigMap.
// templates/_envoy.tpl renders the same objects; test/chart-vs-plan.test.ts proves it for every case.
import { createHash } from "node:crypto";
import type { Values } from "../generated/values.ts";
import { goJson } from "../lib/gojson.ts";
import type { Json, JsonObject } from "../lib/json.ts";
import { durationMs, envoyDuration } from "./duration.ts";
import { fullname } from "./names.ts";
import { planPorts, type PlannedCluster, type PlannedService, type PlannedTailnet, type PortPlan } from "./ports.ts";

/** Where the ConfigMap is mounted in the Envoy container (a directory mount, never subPath). */
export const ENVOY_CONFIG_DIR = "/etc/envoy";
export const BOOTSTRAP_FILE = "envoy.json";
export const LDS_FILE = "lds.json";
export const CDS_FILE = "cds.json";
export const ADMIN_CLUSTER = "envoy-admin";
export const HEALTH_LISTENER = "health";

const T = {
  listener: "type.googleapis.com/envoy.config.listener.v3.Listener",
  cluster: "type.googleapis.com/envoy.config.cluster.v3.Cluster",
  tcpProxy: "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
  hcm: "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
  router: "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
  fault: "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
  httpOptions: "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
  stdoutLog: "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
  connLimit:
    "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig",
} as const;

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

/** Envoy's protobuf JSON form of a values duration (5s, 250ms -> 0.250s). */
const dur = (text: string): string => envoyDuration(durationMs(text) ?? 0);

export function bootstrap(values: Values, release: string): JsonObject {
  const name = fullname(values, release);
  return {
    node: { id: name, cluster: name },
    admin: { address: socket("127.0.0.1", values.envoy.adminPort) },
    dynamic_resources: { lds_config: pathSource(LDS_FILE), cds_config: pathSource(CDS_FILE) },
    overload_manager: {
      resource_monitors: [
        {
          name: "envoy.resource_monitors.global_downstream_max_connections",
          typed_config: {
            "@type": T.connLimit,
            max_active_downstream_connections: values.envoy.maxDownstreamConnections,
          },
        },
      ],
    },
  };
}

function accessLog(svc: PlannedService): Json[] {
  return [
    {
      name: "envoy.access_loggers.stdout",
      typed_config: {
        "@type": T.stdoutLog,
        log_format: {
          json_format: {
            start_time: "%START_TIME%",
            tailnet: svc.tailnet,
            service: svc.portName,
            listen_port: svc.listenPort,
            target: svc.target,
            downstream: "%DOWNSTREAM_REMOTE_ADDRESS%",
            response_flags: "%RESPONSE_FLAGS%",
            upstream_failure: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
            termination: "%CONNECTION_TERMINATION_DETAILS%",
            bytes_received: "%BYTES_RECEIVED%",
            bytes_sent: "%BYTES_SENT%",
            duration_ms: "%DURATION%",
          },
        },
      },
    },
  ];
}

export function listener(values: Values, svc: PlannedService): JsonObject {
  const tcp: JsonObject = {
    "@type": T.tcpProxy,
    stat_prefix: svc.statPrefix,
    cluster: svc.cluster,
    tunneling_config: { hostname: svc.target },
    idle_timeout: dur(values.envoy.idleTimeout),
  };
  if (values.envoy.accessLog) tcp.access_log = accessLog(svc);
  return {
    "@type": T.listener,
    name: `listener-${svc.listenPort}`,
    address: socket("0.0.0.0", svc.listenPort),
    per_connection_buffer_limit_bytes: values.envoy.bufferLimitBytes,
    filter_chains: [{ filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: tcp }] }],
  };
}

const exactRoute = (path: string, action: JsonObject): JsonObject => ({ match: { path }, ...action });

/**
 * The health and metrics listener on the pod IP: probes, F5 XC health checks and Prometheus use it;
 * it exposes only these paths of the loopback-only admin and of containerboot's local endpoints.
 */
export function healthListener(values: Values, tailnets: PlannedTailnet[]): JsonObject {
  const drainDelay = `${values.termination.drainSeconds}s`;
  const routes: Json[] = [
    exactRoute("/live", { direct_response: { status: 200, body: { inline_string: "live\n" } } }),
    exactRoute("/ready", { route: { cluster: ADMIN_CLUSTER, timeout: "2s" } }),
    exactRoute("/stats/prometheus", { route: { cluster: ADMIN_CLUSTER, timeout: "10s" } }),
    // Envoy's preStop hook: the distroless image has no shell to sleep in, so this answers after the drain time.
    exactRoute("/drain-wait", {
      direct_response: { status: 200, body: { inline_string: "drained\n" } },
      typed_per_filter_config: {
        "envoy.filters.http.fault": {
          "@type": T.fault,
          delay: { fixed_delay: drainDelay, percentage: { numerator: 100, denominator: "HUNDRED" } },
        },
      },
    }),
  ];
  for (const tn of tailnets) {
    routes.push(
      exactRoute(`/ready/${tn.name}`, {
        route: { cluster: `health-${tn.name}`, prefix_rewrite: "/healthz", timeout: "2s" },
      }),
    );
    routes.push(
      exactRoute(`/metrics/${tn.name}`, {
        route: { cluster: `health-${tn.name}`, prefix_rewrite: "/metrics", timeout: "10s" },
      }),
    );
  }
  return {
    "@type": T.listener,
    name: HEALTH_LISTENER,
    address: socket("0.0.0.0", values.envoy.healthPort),
    ignore_global_conn_limit: true,
    per_connection_buffer_limit_bytes: values.envoy.bufferLimitBytes,
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": T.hcm,
              stat_prefix: "health",
              route_config: { name: "health", virtual_hosts: [{ name: "health", domains: ["*"], routes }] },
              http_filters: [
                { name: "envoy.filters.http.fault", typed_config: { "@type": T.fault } },
                { name: "envoy.filters.http.router", typed_config: { "@type": T.router } },
              ],
            },
          },
        ],
      },
    ],
  };
}

function healthChecks(values: Values): Json[] {
  const hc = values.envoy.healthCheck;
  return [
    {
      timeout: dur(hc.timeout),
      interval: dur(hc.interval),
      // Without it Envoy checks a cluster that carries no traffic only every 60 s, so a tailnet whose node came
      // up after Envoy (or restarted) stayed unhealthy, and its ports closed, for up to a minute.
      no_traffic_interval: dur(hc.interval),
      unhealthy_threshold: hc.unhealthyThreshold,
      healthy_threshold: hc.healthyThreshold,
      http_health_check: { path: "/healthz" },
    },
  ];
}

/** A tailnet's data cluster: CONNECT tunnels to its HTTP proxy, health-checked on containerboot's /healthz. */
export function cluster(values: Values, c: PlannedCluster): JsonObject {
  const cb = values.envoy.circuitBreakers;
  return {
    "@type": T.cluster,
    name: c.name,
    type: "STATIC",
    connect_timeout: c.connectTimeout,
    per_connection_buffer_limit_bytes: values.envoy.bufferLimitBytes,
    load_assignment: {
      cluster_name: c.name,
      endpoints: [
        {
          lb_endpoints: [
            {
              endpoint: { address: socket("127.0.0.1", c.proxyPort), health_check_config: { port_value: c.localPort } },
            },
          ],
        },
      ],
    },
    health_checks: healthChecks(values),
    // With one endpoint, Envoy's default panic threshold would send traffic to an unhealthy tailnet anyway.
    common_lb_config: { healthy_panic_threshold: { value: 0 } },
    circuit_breakers: {
      thresholds: [
        {
          max_connections: cb.maxConnections,
          max_pending_requests: cb.maxPendingRequests,
          max_requests: cb.maxRequests,
        },
      ],
    },
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": T.httpOptions,
        explicit_http_config: { http_protocol_options: {} },
      },
    },
  };
}

/** containerboot's /healthz and /metrics for a tailnet, behind /ready/<tailnet> and /metrics/<tailnet>. */
export function healthCluster(values: Values, tn: PlannedTailnet): JsonObject {
  const name = `health-${tn.name}`;
  return {
    "@type": T.cluster,
    name,
    type: "STATIC",
    connect_timeout: "1s",
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket("127.0.0.1", tn.localPort) } }] }],
    },
    health_checks: healthChecks(values),
    common_lb_config: { healthy_panic_threshold: { value: 0 } },
  };
}

export function adminCluster(values: Values): JsonObject {
  return {
    "@type": T.cluster,
    name: ADMIN_CLUSTER,
    type: "STATIC",
    connect_timeout: "1s",
    load_assignment: {
      cluster_name: ADMIN_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket("127.0.0.1", values.envoy.adminPort) } }] }],
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
  const listeners = [healthListener(values, ports.tailnets), ...ports.services.map((s) => listener(values, s))];
  const clusters = [
    adminCluster(values),
    ...ports.tailnets.map((t) => healthCluster(values, t)),
    ...ports.clusters.map((c) => cluster(values, c)),
  ];
  return {
    ports,
    files: {
      [BOOTSTRAP_FILE]: bootstrap(values, release),
      [LDS_FILE]: discoveryResponse(listeners),
      [CDS_FILE]: discoveryResponse(clusters),
    },
  };
}
