// The port plan: which port every service, proxy and reserved listener of the pod uses.
// Pure; templates/_plan.tpl computes the same plan and test/chart-vs-plan.test.ts compares them.
import type { Values } from "../generated/values.ts";
import { PROXY_PORT_BASE, SERVICE_PORT_BASE, SLOT_WIDTH } from "../model/constants.ts";
import { durationMs, envoyDuration } from "./duration.ts";

export interface PlannedService {
  /** Path of the service in values, e.g. tailnets[1].services[0]. */
  path: string;
  tailnet: string;
  index: number;
  listenPort: number;
  portName: string;
  host: string;
  port: number;
  /** host:port as sent in the CONNECT request; IPv6 literals are bracketed. */
  target: string;
  statPrefix: string;
  /** The service's own Envoy cluster, <tailnet>_<portName>. */
  cluster: string;
  connectTimeout: string;
  /** Whether its cluster checks the target through the tunnel (else it follows the tailnet's /healthz). */
  targetCheck: boolean;
}

export interface PlannedTailnet {
  path: string;
  name: string;
  index: number;
  slot: number;
  proxyPort: number;
  /** containerboot's /healthz and /metrics, on 127.0.0.1. */
  localPort: number;
  services: PlannedService[];
}

export interface ReservedPort {
  name: string;
  port: number;
  /** What binds it, for messages: e.g. "envoy.adminPort". */
  owner: string;
}

export interface PortPlan {
  tailnets: PlannedTailnet[];
  services: PlannedService[];
  reserved: ReservedPort[];
}

export const slotOf = (tailnet: { slot?: number }, index: number): number => tailnet.slot ?? index;
export const proxyPortOf = (slot: number): number => PROXY_PORT_BASE + slot;
export const defaultListenPort = (slot: number, index: number): number => SERVICE_PORT_BASE + slot * SLOT_WIDTH + index;

export function bracketHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Service port name of the health port; no service may take it. */
export const HEALTH_PORT_NAME = "health";

export function reservedPorts(values: Values): ReservedPort[] {
  return [
    { name: "envoy-admin", port: values.envoy.adminPort, owner: "envoy.adminPort" },
    { name: HEALTH_PORT_NAME, port: values.envoy.healthPort, owner: "envoy.healthPort" },
  ];
}

/** A service's cluster name. '_' cannot occur in a tailnet or port name, so the stats tags can split it. */
export const serviceCluster = (tailnet: string, portName: string): string => `${tailnet}_${portName}`;

export function planPorts(values: Values): PortPlan {
  const tailnets = values.tailnets.map((tn, t): PlannedTailnet => {
    const slot = slotOf(tn, t);
    const proxyPort = proxyPortOf(slot);
    const localPort = values.tailscale.localPortBase + slot;
    const tailnetTimeout = durationMs(tn.connectTimeout ?? values.envoy.connectTimeout) ?? 0;
    const services = tn.services.map((svc, s): PlannedService => {
      const listenPort = svc.listenPort ?? defaultListenPort(slot, s);
      const portName = svc.name ?? `tcp-${listenPort}`;
      const ms = svc.connectTimeout === undefined ? tailnetTimeout : (durationMs(svc.connectTimeout) ?? 0);
      return {
        path: `tailnets[${t}].services[${s}]`,
        tailnet: tn.name,
        index: s,
        listenPort,
        portName,
        host: svc.host,
        port: svc.port,
        target: `${bracketHost(svc.host)}:${svc.port}`,
        statPrefix: `${tn.name}.${portName}`,
        cluster: serviceCluster(tn.name, portName),
        connectTimeout: envoyDuration(ms),
        targetCheck: svc.targetCheck ?? values.envoy.targetCheck.enabled,
      };
    });
    return { path: `tailnets[${t}]`, name: tn.name, index: t, slot, proxyPort, localPort, services };
  });
  const services = tailnets.flatMap((t) => t.services);
  return { tailnets, services, reserved: reservedPorts(values) };
}
