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
  cluster: string;
  connectTimeout: string;
}

export interface PlannedCluster {
  name: string;
  tailnet: string;
  proxyPort: number;
  localPort: number;
  connectTimeout: string;
}

export interface PlannedTailnet {
  path: string;
  name: string;
  index: number;
  slot: number;
  proxyPort: number;
  /** containerboot's /healthz and /metrics, on 127.0.0.1. */
  localPort: number;
  cluster: string;
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
  clusters: PlannedCluster[];
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

export function planPorts(values: Values): PortPlan {
  const clusters = new Map<string, PlannedCluster>();
  const tailnets = values.tailnets.map((tn, t): PlannedTailnet => {
    const slot = slotOf(tn, t);
    const proxyPort = proxyPortOf(slot);
    const localPort = values.tailscale.localPortBase + slot;
    const baseCluster = `ts-${tn.name}`;
    const tailnetTimeout = durationMs(tn.connectTimeout ?? values.envoy.connectTimeout) ?? 0;
    const clusterFor = (ms: number): string => {
      const name = ms === tailnetTimeout ? baseCluster : `${baseCluster}-ct${ms}ms`;
      if (!clusters.has(name))
        clusters.set(name, { name, tailnet: tn.name, proxyPort, localPort, connectTimeout: envoyDuration(ms) });
      return name;
    };
    clusterFor(tailnetTimeout);
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
        cluster: clusterFor(ms),
        connectTimeout: envoyDuration(ms),
      };
    });
    return {
      path: `tailnets[${t}]`,
      name: tn.name,
      index: t,
      slot,
      proxyPort,
      localPort,
      cluster: baseCluster,
      services,
    };
  });
  return {
    tailnets,
    services: tailnets.flatMap((t) => t.services),
    clusters: [...clusters.values()],
    reserved: reservedPorts(values),
  };
}
