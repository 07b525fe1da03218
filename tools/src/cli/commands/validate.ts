import { parse, UsageError, valuesOptions } from "../args.ts";
import { loadValidValues } from "../load.ts";

export const usage = `Usage: tailnet-egress validate -f values.yaml [-f more.yaml ...] [--release NAME]

Merges the files over the chart's values.yaml as Helm does, then checks them against values.schema.json
and the chart's cross-field rules (ports, names, auth). Prints every problem with its field path and
exits 1 when there is one.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, valuesOptions, usage);
  if (values.help) return (console.log(usage), 0);
  const files = values.values ?? [];
  if (files.length === 0) throw new UsageError(`validate needs at least one -f file\n\n${usage}`);
  const v = await loadValidValues(files, values.release);
  const services = v.tailnets.reduce((n, t) => n + t.services.length, 0);
  console.log(`ok: ${v.tailnets.length} tailnet(s), ${services} service(s)`);
  return 0;
}
