// What an upgrade does to the ports F5 XC points at: which ports gain, lose or change their target.
import { formatTable } from "../lib/table.ts";
import type { PlannedService, PortPlan } from "./ports.ts";

export type ChangeKind = "added" | "removed" | "changed";

export interface PortChange {
  kind: ChangeKind;
  port: number;
  before?: PlannedService;
  after?: PlannedService;
}

/** The target a port leads to: tailnet and host:port. A changed target silently misroutes an origin pool. */
const destination = (s: PlannedService): string => `${s.tailnet}/${s.target}`;

export function diffPorts(before: PortPlan, after: PortPlan): PortChange[] {
  const old = new Map(before.services.map((s) => [s.listenPort, s]));
  const next = new Map(after.services.map((s) => [s.listenPort, s]));
  const ports = [...new Set([...old.keys(), ...next.keys()])].sort((a, b) => a - b);
  const changes: PortChange[] = [];
  for (const port of ports) {
    const b = old.get(port);
    const a = next.get(port);
    if (b && !a) changes.push({ kind: "removed", port, before: b });
    else if (a && !b) changes.push({ kind: "added", port, after: a });
    else if (a && b && destination(a) !== destination(b)) changes.push({ kind: "changed", port, before: b, after: a });
  }
  return changes;
}

export function changeTable(changes: PortChange[]): string {
  const rows = [["CHANGE", "PORT", "BEFORE", "AFTER"]];
  for (const c of changes) {
    rows.push([c.kind, String(c.port), c.before ? destination(c.before) : "-", c.after ? destination(c.after) : "-"]);
  }
  return formatTable(rows);
}
