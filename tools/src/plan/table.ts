// The port map as a text table: port -> tailnet -> target, with the Envoy cluster and proxy.
import { formatTable } from "../lib/table.ts";
import type { PortPlan } from "./ports.ts";

export function portTable(plan: PortPlan): string {
  const rows = [["PORT", "NAME", "TAILNET", "TARGET", "CLUSTER", "PROXY", "TIMEOUT"]];
  for (const tn of plan.tailnets) {
    for (const s of tn.services) {
      rows.push([
        String(s.listenPort),
        s.portName,
        tn.name,
        s.target,
        s.cluster,
        `127.0.0.1:${tn.proxyPort}`,
        s.connectTimeout,
      ]);
    }
  }
  return formatTable(rows);
}
