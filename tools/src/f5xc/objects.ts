// F5 XC objects for a release: one origin pool per service, each pointing at the release's Kubernetes
// Service port, and one HTTP health check per service on Envoy's health port (envoy.healthPort), path
// /ready/<tailnet>/<service>: 200 only while Envoy's check of that service's target through the tunnel passes
// (or, for a service with targetCheck false, while its tailnet's node is up), so F5 XC takes exactly that
// pool out when its target, its tailnet or the pod is down. F5 XC's HTTP check treats a 503 as unhealthy at
// once. Pools set health_check_port to the health port.
//
// The bodies follow the F5 XC config API: POST /api/config/namespaces/{namespace}/origin_pools and
// .../healthchecks create, PUT .../{name} replaces, with the same {metadata, spec} body. Sources:
//   [api-op]  F5's API reference, docs.cloud.f5.com/docs-v2/api: "Create Origin Pool"
//             (ves.io.schema.views.origin_pool) and "Create Health Check" (ves.io.schema.healthcheck, page
//             .../docs-v2/api/healthcheck); their request samples name every field used here.
//   [tf]      the volterraedge/volterra Terraform provider docs (volterra_origin_pool, volterra_healthcheck),
//             which mirror the API: a "oneof" choice is a key holding an empty object ("no_tls": {}).
// Field by field (what we emit, and where its definition comes from):
//   metadata.name        [tf] "follow DNS-1035 format"; see names.ts and constraints.ts
//   metadata.namespace   [api-op] "Must be a DNS_LABEL format": the F5 XC namespace (on vK8s, the vK8s one)
//   metadata.labels, .description, .disable   [api-op] ObjectCreateMetaType
//   healthcheck spec:
//     http_health_check.path                    [api-op] the request path: /ready/<tailnet>/<service>
//     http_health_check.use_origin_server_name  [api-op] oneof host header choice (vs host_header)
//     http_health_check.expected_status_codes   [api-op] list of strings; constraints.ts checks it
//     interval, timeout (seconds), jitter_percent, healthy_threshold, unhealthy_threshold   [api-op]
//   origin_pool spec:
//     origin_servers[].k8s_service.service_name  [api-op][tf] "<service>.<k8s namespace>"
//     origin_servers[].k8s_service.protocol      [api-op] PROTOCOL_TCP
//     origin_servers[].k8s_service.site_locator  [api-op][tf] oneof site | virtual_site, a {tenant?, namespace, name} ref
//     origin_servers[].k8s_service.vk8s_networks | inside_network | outside_network   [api-op][tf] oneof network
//     port, health_check_port                    [api-op] the Service port; the Envoy health port
//     no_tls                                     [api-op][tf] oneof TLS choice: plain TCP to the Service
//     healthcheck[]                              [api-op] {namespace, name} refs to the health checks
//     loadbalancer_algorithm: LB_OVERRIDE, endpoint_selection: LOCAL_PREFERRED   [api-op][tf] enum values
// Not verified against a live tenant (none is reachable from here): the numeric bounds in constraints.ts
// come from a quotation of the reference; the enum spellings and the empty-object oneof encoding
// were read from request samples and Terraform docs, not from an accepted request.
import type { Values } from "../generated/values.ts";
import type { Json } from "../lib/json.ts";
import { formatTable } from "../lib/table.ts";
import { fullname } from "../plan/names.ts";
import { serviceReadyPath } from "../plan/envoy.ts";
import { planPorts, type PlannedService } from "../plan/ports.ts";
import { xcName } from "./names.ts";

export type Network = "vk8s" | "inside" | "outside";
export const NETWORKS: Record<Network, string> = {
  vk8s: "vk8s_networks",
  inside: "inside_network",
  outside: "outside_network",
};

export interface Locator {
  kind: "site" | "virtual_site";
  name: string;
  /** F5 XC namespace of the site object: "system" for sites, usually "shared" for virtual sites. */
  namespace: string;
  tenant?: string;
}

export interface HealthcheckOptions {
  /** Seconds between checks (F5 XC: 1..600). */
  interval: number;
  /** Seconds before one attempt fails. */
  timeout: number;
  /** Random extra time added to each interval, in percent (F5 XC: 0, or 10..50). */
  jitterPercent: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** HTTP status codes that count as healthy (F5 XC: at most 16). /ready/<tailnet>/<service> answers 200 or 503. */
  expectedStatusCodes: string[];
}

export const DEFAULT_HEALTHCHECK: HealthcheckOptions = {
  interval: 15,
  timeout: 3,
  jitterPercent: 0,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  expectedStatusCodes: ["200"],
};

export interface F5xcOptions {
  release: string;
  /** Kubernetes namespace of the release (the Service's namespace). */
  namespace: string;
  /** F5 XC namespace that holds the pools and the health check. Default: the Kubernetes namespace (vK8s). */
  xcNamespace?: string;
  locator: Locator;
  network?: Network;
  healthcheck?: HealthcheckOptions;
}

export interface XcObject {
  metadata: { name: string; namespace: string; labels: Record<string, string>; description: string; disable: false };
  spec: { [key: string]: Json };
}

export interface PoolRow {
  port: number;
  portName: string;
  tailnet: string;
  target: string;
  originPool: string;
}

export interface F5xcPlan {
  healthchecks: XcObject[];
  origin_pools: XcObject[];
  rows: PoolRow[];
}

export function f5xcPlan(values: Values, o: F5xcOptions): F5xcPlan {
  const xcNamespace = o.xcNamespace ?? o.namespace;
  const serviceName = `${fullname(values, o.release)}.${o.namespace}`;
  const hco = o.healthcheck ?? DEFAULT_HEALTHCHECK;
  const labels = (extra: Record<string, string> = {}) => ({ "tailscale-egress-release": o.release, ...extra });
  const { kind, ...ref } = o.locator;
  const siteRef: { [key: string]: Json } = {
    ...(ref.tenant ? { tenant: ref.tenant } : {}),
    namespace: ref.namespace,
    name: ref.name,
  };

  const healthcheckFor = (s: PlannedService): XcObject => ({
    metadata: {
      name: xcName(o.release, s.tailnet, s.portName, "ready"),
      namespace: xcNamespace,
      labels: labels({ "tailscale-egress-tailnet": s.tailnet, "tailscale-egress-port": String(s.listenPort) }),
      description: `tailscale-egress release ${o.release}: ${s.target} in tailnet ${s.tailnet} accepts tunnels (GET ${serviceReadyPath(s)} on port ${values.envoy.healthPort})`,
      disable: false,
    },
    spec: {
      http_health_check: {
        path: serviceReadyPath(s),
        use_origin_server_name: {},
        expected_status_codes: [...hco.expectedStatusCodes],
      },
      interval: hco.interval,
      timeout: hco.timeout,
      jitter_percent: hco.jitterPercent,
      healthy_threshold: hco.healthyThreshold,
      unhealthy_threshold: hco.unhealthyThreshold,
    },
  });
  const healthchecks: XcObject[] = [];

  const rows: PoolRow[] = [];
  const pools = planPorts(values).services.map((s): XcObject => {
    const name = xcName(o.release, s.tailnet, s.portName);
    const hc = healthcheckFor(s);
    healthchecks.push(hc);
    rows.push({ port: s.listenPort, portName: s.portName, tailnet: s.tailnet, target: s.target, originPool: name });
    return {
      metadata: {
        name,
        namespace: xcNamespace,
        labels: labels({ "tailscale-egress-tailnet": s.tailnet, "tailscale-egress-port": String(s.listenPort) }),
        description: `tailscale-egress release ${o.release}: tailnet ${s.tailnet} -> ${s.target} via ${serviceName}:${s.listenPort}`,
        disable: false,
      },
      spec: {
        origin_servers: [
          {
            k8s_service: {
              service_name: serviceName,
              protocol: "PROTOCOL_TCP",
              site_locator: { [kind]: siteRef },
              [NETWORKS[o.network ?? "vk8s"]]: {},
            },
          },
        ],
        port: s.listenPort,
        health_check_port: values.envoy.healthPort,
        no_tls: {},
        healthcheck: [{ namespace: xcNamespace, name: hc.metadata.name }],
        loadbalancer_algorithm: "LB_OVERRIDE",
        endpoint_selection: "LOCAL_PREFERRED",
      },
    };
  });
  return { healthchecks, origin_pools: pools, rows };
}

export function poolTable(rows: PoolRow[]): string {
  return formatTable([
    ["PORT", "NAME", "TAILNET", "TARGET", "ORIGIN POOL"],
    ...rows.map((r) => [String(r.port), r.portName, r.tailnet, r.target, r.originPool]),
  ]);
}
