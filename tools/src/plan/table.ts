// The port map as a text table: port -> tailnet -> target, with the Envoy cluster and proxy.
import type { PortPlan } from "./ports.ts";

export function portTable(plan: PortPlan): string {
  const rows = [["PORT", "NAME", "TAILNET", "TARGET", "CLUSTER", "PROXY", "TIMEOUT"]];
  for (const tn of plan.tailnets) {
    for (const s of tn.services) {
      rows.push([String(s.listenPort), s.portName, tn.name, s.target, s.cluster, `127.0.0.1:${tn.proxyPort}`, s.connectTimeout]);
    }
  }
  return formatTable(rows);
}

/** Rows of cells as left-aligned columns two spaces apart; the first row is the header. */
export function formatTable(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join("  ").trimEnd()).join("\n");
}
