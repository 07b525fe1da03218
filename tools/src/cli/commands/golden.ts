import { existsSync } from "node:fs";
import { checkCase } from "../../golden/golden.ts";
import { goldenCases, GOLDEN_DIR } from "../../golden/cases.ts";
import { parse, UsageError } from "../args.ts";

export const usage = `Usage: tailnet-egress golden [--update] [--dir test/helm]

For every <case>.in.yaml (and, with the default --dir, every bundled examples/<name>.yaml, whose outputs
are in test/helm/examples/): renders it with helm template (Helm 3 and Helm 4, fixed release name,
namespace, --kube-version, and --api-versions for the monitoring.coreos.com/v1 ServiceMonitor and
PrometheusRule) and compares it with <case>.out.yaml, and compares its F5 XC objects (tailnet-egress f5xc for a virtual site) with
<case>.f5xc.json and the apply script f5xc --out writes with <case>.apply.sh. --update rewrites every
golden; review the diff.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { update: { type: "boolean", default: false }, dir: { type: "string", default: GOLDEN_DIR } },
    usage,
  );
  if (values.help) return (console.log(usage), 0);
  if (!existsSync(values.dir)) throw new UsageError(`--dir ${values.dir}: no such directory\n\n${usage}`);
  let failed = 0;
  for (const c of goldenCases(values.dir)) {
    const r = await checkCase(c, values.update);
    console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name}`);
    for (const p of r.problems) console.log(p);
    if (!r.ok) failed++;
  }
  return failed ? 1 : 0;
}
