import { render } from "../../helm/helm.ts";
import { planEnvoy } from "../../plan/envoy.ts";
import { portTable } from "../../plan/table.ts";
import { repoPath } from "../../lib/paths.ts";
import { parse, valuesOptions } from "../args.ts";
import { loadValidValues } from "../load.ts";

export const usage = `Usage: tailnet-egress start [-f values.yaml ...]

Renders the chart with the given values (default: examples/values.yaml) and prints the port map and the
precomputed Envoy plan.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, valuesOptions, usage);
  if (values.help) return (console.log(usage), 0);
  const files = values.values?.length ? values.values : [repoPath("examples/values.yaml")];
  const v = await loadValidValues(files, values.release);
  await render({ major: 3, valuesFiles: files, release: values.release });
  const plan = planEnvoy(v, values.release);
  console.log(`Rendered the chart for ${files.join(", ")}\n\n${portTable(plan.ports)}`);
  for (const [name, content] of Object.entries(plan.files)) console.log(`\n--- ${name}\n${JSON.stringify(content, null, 2)}`);
  return 0;
}
