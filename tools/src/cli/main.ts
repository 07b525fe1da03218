// The tailnet-egress CLI: one entry point, one module per command.
import { UsageError } from "./args.ts";
import { InvalidValuesError } from "./load.ts";
import { MissingToolError } from "../lib/toolpaths.ts";

interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  validate: () => import("./commands/validate.ts"),
  plan: () => import("./commands/plan.ts"),
  golden: () => import("./commands/golden.ts"),
  start: () => import("./commands/start.ts"),
  package: () => import("./commands/package.ts"),
  f5xc: () => import("./commands/f5xc.ts"),
};

const usage = `Usage: tailnet-egress <command> [options]

Commands:
  validate   check values files against the schema and the chart's rules
  plan       print the port map and the Envoy files for values files
  golden     render the golden cases with Helm 3 and 4 and compare (--update to rewrite)
  start      run the pod locally (npm start)
  package    package the chart reproducibly into dist/, signed (npm run package)
  f5xc       print F5 XC origin pools and a health check for the release's Service

Run tailnet-egress <command> --help for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (e) {
    if (e instanceof UsageError) return (console.error(e.message), 2);
    if (e instanceof InvalidValuesError || e instanceof MissingToolError) return (console.error(e.message), 1);
    throw e;
  }
}

// A closed pipe (e.g. `| head`) ends the output quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
