// The F5 XC golden outputs of a case: the objects tailnet-egress f5xc makes for the golden release (with
// the pool table), for a virtual site as on vK8s, and the apply.sh that --out writes next to them.
import { loadValidValues } from "../cli/load.ts";
import { f5xcPlan, poolTable, type F5xcOptions } from "../f5xc/objects.ts";
import { APPLY_SCRIPT, outFiles } from "../f5xc/out-dir.ts";
import { GOLDEN_NAMESPACE, GOLDEN_RELEASE } from "../helm/helm.ts";

export const GOLDEN_F5XC: F5xcOptions = {
  release: GOLDEN_RELEASE,
  namespace: GOLDEN_NAMESPACE,
  locator: { kind: "virtual_site", namespace: "shared", name: "ves-io-all-res", tenant: "ves-io" },
};

export async function renderF5xc(valuesFile: string): Promise<{ objects: string; applyScript: string }> {
  const plan = f5xcPlan(await loadValidValues([valuesFile], GOLDEN_RELEASE), GOLDEN_F5XC);
  const objects = {
    table: poolTable(plan.rows).split("\n"),
    healthchecks: plan.healthchecks,
    origin_pools: plan.origin_pools,
  };
  const script = outFiles(plan).find((f) => f.path === APPLY_SCRIPT);
  if (!script) throw new Error(`outFiles wrote no ${APPLY_SCRIPT}`);
  return { objects: `${JSON.stringify(objects, null, 2)}\n`, applyScript: script.content };
}
