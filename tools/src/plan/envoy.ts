// The Envoy plan: one pure function from values to the files of the Envoy ConfigMap.
// templates/_envoy.tpl renders the same objects; test/chart-vs-plan.test.ts proves it for every case.
import { createHash } from "node:crypto";
import type { Values } from "../generated/values.ts";
import { goJson } from "../lib/gojson.ts";
import type { Json, JsonObject } from "../lib/json.ts";
import { durationMs, envoyDuration } from "./duration.ts";
import { fullname } from "./names.ts";
import { planPorts, type PlannedService, type PlannedTailnet, type PortPlan } from "./ports.ts";

/** Where the ConfigMap is mounted in the Envoy container (a directory mount, never subPath). */
export const ENVOY_CONFIG_DIR = "/etc/envoy";
export const BOOTSTRAP_FILE = "envoy.json";
export const LDS_FILE = "lds.json";
export const CDS_FILE = "cds.json";
/** The health port's routes (RDS), so that the per-service paths do not take room in LDS's ConfigMap. */
export const RDS_FILE = "rds.json";
export const HEALTH_ROUTES = "health";
export const ADMIN_CLUSTER = "envoy-admin";
export const HEALTH_LISTENER = "health";

const T = {
  listener: "type.googleapis.com/envoy.config.listener.v3.Listener",
  cluster: "type.googleapis.com/envoy.config.cluster.v3.Cluster",
  tcpProxy: "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
  hcm: "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
  router: "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
  routeConfig: "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
  customResponse: "type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse",
  localResponse:
    "type.googleapis.com/envoy.extensions.http.custom_response.local_response_policy.v3.LocalResponsePolicy",
  statusInput: "type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput",
  headerInput: "type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput",
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

/**
 * Prometheus labels tailnet and service for each service's cluster (<tailnet>_<service>) and tcp_proxy stats
 * (<tailnet>.<service>). Tailnet and port names hold only [a-z0-9-], so '_' and '.' split them; the
 * health-<tailnet> and envoy-admin clusters hold no '_' and keep only envoy_cluster_name.
 */
export const STATS_TAGS: JsonObject[] = [
  { tag_name: "tailnet", regex: "^cluster\\.(([a-z0-9-]+)_)[a-z0-9-]+\\." },
  { tag_name: "service", regex: "^cluster\\.[a-z0-9-]+_(([a-z0-9-]+)\\.)" },
  { tag_name: "tailnet", regex: "^tcp\\.(([a-z0-9-]+)\\.)[a-z0-9-]+\\." },
  { tag_name: "service", regex: "^tcp\\.[a-z0-9-]+\\.(([a-z0-9-]+)\\.)" },
];

export function bootstrap(values: Values, release: string): JsonObject {
  const name = fullname(values, release);
  return {
    node: { id: name, cluster: name },
    admin: { address: socket("127.0.0.1", values.envoy.adminPort) },
    dynamic_resources: { lds_config: pathSource(LDS_FILE), cds_config: pathSource(CDS_FILE) },
    stats_config: { stats_tags: STATS_TAGS },
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
      name: "stdout",
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

/** tcp_proxy's idle_timeout when none is given (TcpProxy.idle_timeout: "If not set, the default idle timeout is 1 hour"). */
export const ENVOY_DEFAULT_IDLE_TIMEOUT = "3600s";

/**
 * A service's tcp_proxy listener. Filter and logger names are free labels (Envoy finds both by the type of
 * typed_config), kept short: every byte here repeats once per service in the LDS ConfigMap.
 */
export function listener(values: Values, svc: PlannedService): JsonObject {
  const tcp: JsonObject = {
    "@type": T.tcpProxy,
    stat_prefix: svc.statPrefix,
    cluster: svc.cluster,
    tunneling_config: { hostname: svc.target },
  };
  // Envoy's own default is 1 h; leaving it out saves 23 bytes a listener in LDS's ConfigMap.
  const idle = dur(values.envoy.idleTimeout);
  if (idle !== ENVOY_DEFAULT_IDLE_TIMEOUT) tcp.idle_timeout = idle;
  if (values.envoy.accessLog) tcp.access_log = accessLog(svc);
  return {
    "@type": T.listener,
    name: `listener-${svc.listenPort}`,
    address: socket("0.0.0.0", svc.listenPort),
    per_connection_buffer_limit_bytes: values.envoy.bufferLimitBytes,
    filter_chains: [{ filters: [{ name: "tcp_proxy", typed_config: tcp }] }],
  };
}

const exactRoute = (path: string, action: JsonObject): JsonObject => ({ match: { path }, ...action });

/** The path that answers for one service's target: /ready/<tailnet>/<service>. */
export const serviceReadyPath = (svc: PlannedService): string => `/ready/${svc.tailnet}/${svc.portName}`;

/**
 * The health port's routes (RDS): probes, F5 XC health checks and Prometheus use them; they expose only these
 * paths of the loopback-only admin and of containerboot's local endpoints.
 *
 * /ready/<tailnet>/<service> routes to the service's own cluster. With no healthy host (its target failed its
 * checks) Envoy answers 503 itself. Otherwise the GET reaches the tailnet's proxy, which answers any request
 * that is neither CONNECT nor an absolute URL with 400 at once, dialling nothing; the health listener's
 * custom_response filter turns that 400 into 200.
 */
export function healthRoutes(values: Values, tailnets: PlannedTailnet[]): JsonObject {
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
    for (const svc of tn.services)
      routes.push(exactRoute(serviceReadyPath(svc), { route: { cluster: svc.cluster, timeout: "2s" } }));
  }
  return {
    "@type": T.routeConfig,
    name: HEALTH_ROUTES,
    virtual_hosts: [{ name: HEALTH_ROUTES, domains: ["*"], routes }],
  };
}

/** The tailnet proxy's 400 to a /ready/<tailnet>/<service> GET means the service's cluster had a healthy host. */
const readyFrom400: JsonObject = {
  "@type": T.customResponse,
  custom_response_matcher: {
    matcher_list: {
      matchers: [
        {
          predicate: {
            and_matcher: {
              predicate: [
                {
                  single_predicate: {
                    input: { name: "status", typed_config: { "@type": T.statusInput } },
                    value_match: { exact: "400" },
                  },
                },
                {
                  single_predicate: {
                    input: { name: "path", typed_config: { "@type": T.headerInput, header_name: ":path" } },
                    value_match: { prefix: "/ready/" },
                  },
                },
              ],
            },
          },
          on_match: {
            action: {
              name: "ready",
              typed_config: { "@type": T.localResponse, status_code: 200, body: { inline_string: "ready\n" } },
            },
          },
        },
      ],
    },
  },
};

/** The health and metrics listener on the pod IP; its routes come from RDS_FILE. */
export function healthListener(values: Values): JsonObject {
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
              rds: { config_source: pathSource(RDS_FILE), route_config_name: HEALTH_ROUTES },
              http_filters: [
                { name: "envoy.filters.http.custom_response", typed_config: readyFrom400 },
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

function tailnetHealthCheck(values: Values): JsonObject {
  const hc = values.envoy.healthCheck;
  return {
    timeout: dur(hc.timeout),
    interval: dur(hc.interval),
    // Without it Envoy checks a cluster that carries no traffic only every 60 s, so a tailnet whose node came
    // up after Envoy (or restarted) stayed unhealthy, and its ports closed, for up to a minute.
    no_traffic_interval: dur(hc.interval),
    unhealthy_threshold: hc.unhealthyThreshold,
    healthy_threshold: hc.healthyThreshold,
    http_health_check: { path: "/healthz" },
  };
}

const hex = (text: string): string => Buffer.from(text, "latin1").toString("hex");

/**
 * A check of the service's target through the tunnel: the tailnet's proxy answers `HTTP/1.1 200` only once it
 * reached the target, an error status when the dial fails, and nothing while it waits (the timeout). A new
 * connection per check (reuse_connection: false), or the next check's bytes would go into the open tunnel.
 */
function targetHealthCheck(values: Values, svc: PlannedService): JsonObject {
  const tc = values.envoy.targetCheck;
  return {
    timeout: dur(tc.timeout),
    interval: dur(tc.interval),
    no_traffic_interval: dur(tc.interval),
    unhealthy_threshold: tc.unhealthyThreshold,
    healthy_threshold: tc.healthyThreshold,
    reuse_connection: false,
    tcp_health_check: {
      send: { text: hex(`CONNECT ${svc.target} HTTP/1.1\r\nHost: ${svc.target}\r\n\r\n`) },
      receive: [{ text: hex("HTTP/1.1 200") }],
    },
  };
}

/**
 * A service's cluster: CONNECT tunnels to its tailnet's HTTP proxy. It checks the target through the tunnel,
 * or, with targetCheck false, the tailnet's containerboot /healthz as the tailnet's own health cluster does.
 */
export function serviceCluster(values: Values, tn: PlannedTailnet, svc: PlannedService): JsonObject {
  const cb = values.envoy.circuitBreakers;
  const endpoint: JsonObject = { address: socket("127.0.0.1", tn.proxyPort) };
  if (!svc.targetCheck) endpoint.health_check_config = { port_value: tn.localPort };
  return {
    "@type": T.cluster,
    name: svc.cluster,
    connect_timeout: svc.connectTimeout,
    per_connection_buffer_limit_bytes: values.envoy.bufferLimitBytes,
    load_assignment: { cluster_name: svc.cluster, endpoints: [{ lb_endpoints: [{ endpoint }] }] },
    health_checks: [svc.targetCheck ? targetHealthCheck(values, svc) : tailnetHealthCheck(values)],
    // With one endpoint, Envoy's default panic threshold would send traffic to a failed target anyway; at 0 a
    // new connection is closed at once (flag UH, upstream_cx_none_healthy).
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
    health_checks: [tailnetHealthCheck(values)],
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
  const listeners = [healthListener(values), ...ports.services.map((s) => listener(values, s))];
  const clusters = [
    adminCluster(values),
    ...ports.tailnets.map((t) => healthCluster(values, t)),
    ...ports.tailnets.flatMap((t) => t.services.map((s) => serviceCluster(values, t, s))),
  ];
  return {
    ports,
    files: {
      [BOOTSTRAP_FILE]: bootstrap(values, release),
      [RDS_FILE]: discoveryResponse([healthRoutes(values, ports.tailnets)]),
      [LDS_FILE]: discoveryResponse(listeners),
      [CDS_FILE]: discoveryResponse(clusters),
    },
  };
}
