// F5 XC objects for a release: one origin pool per service, each pointing at the release's Kubernetes
// Service port, plus one HTTP health check per tailnet on Envoy's health port (envoy.healthPort), path
// /ready/<tailnet>: 200 only while that tailnet's node is up, so F5 XC takes a pool out when its tailnet is
// down, not only when the pod is. Pools set health_check_port to the health port. The JSON bodies follow the F5 XC config API
// (POST /api/config/namespaces/{namespace}/origin_pools and .../healthchecks), whose field structure is
// documented in the F5 XC API reference (docs.cloud.f5.com/docs-v2/api: origin-pool, healthcheck) and
// mirrored by the volterraedge/volterra Terraform provider (volterra_origin_pool, volterra_healthcheck):
// a "oneof" choice is a key with an empty object, e.g. "no_tls": {} or "vk8s_networks": {}.
import type { Values } from "../generated/values.ts";
import { fullname } from "../plan/names.ts";
import { planPorts } from "../plan/ports.ts";
import { formatTable } from "../plan/table.ts";
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

export interface HealthcheckTiming {
  /** Seconds between checks. */
  interval: number;
  /** Seconds before one attempt fails. */
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export const DEFAULT_TIMING: HealthcheckTiming = { interval: 15, timeout: 3, healthyThreshold: 2, unhealthyThreshold: 3 };

export interface F5xcOptions {
  release: string;
  /** Kubernetes namespace of the release (the Service's namespace). */
  namespace: string;
  /** F5 XC namespace that holds the pools and the health check. Default: the Kubernetes namespace (vK8s). */
  xcNamespace?: string;
  locator: Locator;
  network?: Network;
  timing?: HealthcheckTiming;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
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
  const timing = o.timing ?? DEFAULT_TIMING;
  const labels = (extra: Record<string, string> = {}) => ({ "tailscale-egress-release": o.release, ...extra });
  const { kind, ...ref } = o.locator;
  const siteRef: { [key: string]: Json } = { ...(ref.tenant ? { tenant: ref.tenant } : {}), namespace: ref.namespace, name: ref.name };

  const healthchecks = new Map<string, XcObject>();
  const healthcheckFor = (tailnet: string): XcObject => {
    let hc = healthchecks.get(tailnet);
    if (!hc) {
      hc = {
        metadata: {
          name: xcName(o.release, tailnet, "ready"),
          namespace: xcNamespace,
          labels: labels({ "tailscale-egress-tailnet": tailnet }),
          description: `tailscale-egress release ${o.release}: tailnet ${tailnet}'s node is up (GET /ready/${tailnet} on port ${values.envoy.healthPort})`,
          disable: false,
        },
        spec: {
          http_health_check: { path: `/ready/${tailnet}`, use_origin_server_name: {}, expected_status_codes: ["200"] },
          interval: timing.interval,
          timeout: timing.timeout,
          healthy_threshold: timing.healthyThreshold,
          unhealthy_threshold: timing.unhealthyThreshold,
        },
      };
      healthchecks.set(tailnet, hc);
    }
    return hc;
  };

  const rows: PoolRow[] = [];
  const pools = planPorts(values).services.map((s): XcObject => {
    const name = xcName(o.release, s.tailnet, s.portName);
    const hc = healthcheckFor(s.tailnet);
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
  return { healthchecks: [...healthchecks.values()], origin_pools: pools, rows };
}

export function poolTable(rows: PoolRow[]): string {
  return formatTable([
    ["PORT", "NAME", "TAILNET", "TARGET", "ORIGIN POOL"],
    ...rows.map((r) => [String(r.port), r.portName, r.tailnet, r.target, r.originPool]),
  ]);
}
