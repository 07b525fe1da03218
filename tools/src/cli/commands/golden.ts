import { checkCase, goldenCases, GOLDEN_DIR } from "../../golden/golden.ts";
import { parse } from "../args.ts";

export const usage = `Usage: tailnet-egress golden [--update] [--dir test/helm]

Renders every <case>.in.yaml with helm template (Helm 3 and Helm 4, fixed release name, namespace and
--kube-version) and compares it with <case>.out.yaml. --update rewrites the goldens; review the diff.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { update: { type: "boolean", default: false }, dir: { type: "string", default: GOLDEN_DIR } }, usage);
  if (values.help) return (console.log(usage), 0);
  let failed = 0;
  for (const c of await goldenCases(values.dir)) {
    const r = await checkCase(c, values.update);
    console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name}`);
    for (const p of r.problems) console.log(p);
    if (!r.ok) failed++;
  }
  return failed ? 1 : 0;
}
