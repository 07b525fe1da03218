import { changeTable, diffPorts } from "../../plan/diff.ts";
import { portTable } from "../../plan/table.ts";
import { parse, UsageError, valuesOptions } from "../args.ts";
import { loadValidated } from "../load.ts";

export const usage = `Usage: tailnet-egress plan -f values.yaml [-f more.yaml ...] [--release NAME] [--json]
       tailnet-egress plan --from old.yaml --to new.yaml [--allow-remap]

With -f: prints the port map (port -> tailnet -> target) and the precomputed Envoy files (bootstrap,
LDS, CDS) that the chart's ConfigMap will hold. --json prints {ports, files} as one JSON document.

With --from/--to (each may repeat, merged like helm -f): the step before helm upgrade. Prints every
service port whose target is added, removed or changed. A changed target would make an F5 XC origin
pool send traffic to a different service without any error, so it exits 1 unless --allow-remap is
given. Pin ports with listenPort (per service) or slot (per tailnet) to keep them still.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      ...valuesOptions,
      json: { type: "boolean", default: false },
      from: { type: "string", multiple: true },
      to: { type: "string", multiple: true },
      "allow-remap": { type: "boolean", default: false },
    },
    usage,
  );
  if (values.help) return (console.log(usage), 0);
  if (values.from || values.to) return diff(values.from ?? [], values.to ?? [], values.release, values["allow-remap"]);
  const files = values.values ?? [];
  if (files.length === 0) throw new UsageError(`plan needs -f files, or --from and --to\n\n${usage}`);
  const { plan } = await loadValidated(files, values.release);
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

async function diff(from: string[], to: string[], release: string, allowRemap: boolean): Promise<number> {
  if (!from.length || !to.length) throw new UsageError(`plan needs both --from and --to\n\n${usage}`);
  const before = (await loadValidated(from, release)).plan.ports;
  const after = (await loadValidated(to, release)).plan.ports;
  const changes = diffPorts(before, after);
  if (!changes.length) {
    console.log("no port changes");
    return 0;
  }
  console.log(changeTable(changes));
  const remapped = changes.filter((c) => c.kind === "changed");
  if (remapped.length && !allowRemap) {
    console.error(
      `\nrefused: ${remapped.length} port(s) would lead to a different target (${remapped.map((c) => c.port).join(", ")}). ` +
        "Pin them with listenPort or slot, or pass --allow-remap after updating the F5 XC origin pools.",
    );
    return 1;
  }
  return 0;
}
