import { planEnvoy } from "../../plan/envoy.ts";
import { portTable } from "../../plan/table.ts";
import { parse, UsageError, valuesOptions } from "../args.ts";
import { loadValidValues } from "../load.ts";

export const usage = `Usage: tailnet-egress plan -f values.yaml [-f more.yaml ...] [--release NAME] [--json]

Prints the port map (port -> tailnet -> target) and the precomputed Envoy files (bootstrap, LDS, CDS)
that the chart's ConfigMap will hold. --json prints {ports, files} as one JSON document.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...valuesOptions, json: { type: "boolean", default: false } }, usage);
  if (values.help) return (console.log(usage), 0);
  const files = values.values ?? [];
  if (files.length === 0) throw new UsageError(`plan needs at least one -f file\n\n${usage}`);
  const plan = planEnvoy(await loadValidValues(files, values.release), values.release);
  if (values.json) {
    console.log(JSON.stringify(plan, null, 2));
    return 0;
  }
  console.log(portTable(plan.ports));
  for (const [name, content] of Object.entries(plan.files)) {
    console.log(`\n--- ${name}\n${JSON.stringify(content, null, 2)}`);
  }
  return 0;
}
