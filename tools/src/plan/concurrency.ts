// Envoy's worker threads (its --concurrency arg): envoy.concurrency, else the Envoy container's CPU limit
// rounded up to whole cores (at least 1), else 2. Without the arg Envoy starts one worker per hardware thread
// of the node, whatever the pod's CPU limit. templates/_envoy.tpl "tailscale-egress.envoy.concurrency"
// computes the same; test/chart-vs-plan.test.ts proves it for every case.
import type { Values } from "../generated/values.ts";

export const DEFAULT_ENVOY_CONCURRENCY = 2;
/** The CPU quantities a worker count is derived from: millicores (500m) or cores (2, 1.5). */
export const CPU_QUANTITY = /^([0-9]+m|[0-9]+(\.[0-9]+)?)$/;

/** Whole cores of a CPU quantity, rounded up; undefined for a form CPU_QUANTITY does not accept. */
export function cpuCores(quantity: string | number): number | undefined {
  const text = String(quantity);
  if (!CPU_QUANTITY.test(text)) return undefined;
  return text.endsWith("m") ? Math.ceil(Number(text.slice(0, -1)) / 1000) : Math.ceil(Number(text));
}

/** The Envoy CPU limit the worker count is derived from, when it is set and envoy.concurrency is not. */
export function derivingCpuLimit(values: Values): string | number | undefined {
  return values.envoy.concurrency === undefined ? values.envoy.resources?.limits?.cpu : undefined;
}

export function envoyConcurrency(values: Values): number {
  if (values.envoy.concurrency !== undefined) return values.envoy.concurrency;
  const cpu = derivingCpuLimit(values);
  // An unparseable limit is refused by the rules (tools/src/values/rules.ts) before anything is rendered.
  return cpu === undefined ? DEFAULT_ENVOY_CONCURRENCY : Math.max(1, cpuCores(cpu) ?? DEFAULT_ENVOY_CONCURRENCY);
}
