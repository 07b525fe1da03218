// The tailnet-egress CLI: one entry point, one module per command.
import { DEBUG_FLAG, debugRequested, EXIT, EXIT_CODES_HELP, reportError } from "./errors.ts";

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
  cluster: () => import("./commands/cluster.ts"),
};

const usage = `Usage: tailnet-egress <command> [options]

Commands:
  validate   check values files against the schema and the chart's rules
  plan       print the port map and the Envoy files for values files
  golden     render the golden cases with Helm 3 and 4 and compare (--update to rewrite)
  start      run the pod locally (npm start)
  package    package the chart reproducibly into dist/, signed (npm run package)
  f5xc       print F5 XC origin pools and a health check for the release's Service
  cluster    a real single-node Kubernetes on this machine, in a network namespace (up, exec, down)

Run tailnet-egress <command> --help for a command's options. ${DEBUG_FLAG}, anywhere on the command line
(or TAILNET_EGRESS_DEBUG=1), prints the stack trace of an error.

${EXIT_CODES_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const debug = debugRequested(argv);
  const [name, ...rest] = argv.filter((a) => a !== DEBUG_FLAG);
  if (!name) return (console.error(usage), EXIT.usage);
  if (name === "--help" || name === "-h" || name === "help") return (console.log(usage), EXIT.ok);
  const load = commands[name];
  if (!load) return (console.error(`unknown command "${name}"\n\n${usage}`), EXIT.usage);
  try {
    return await (await load()).run(rest);
  } catch (e) {
    return reportError(e, debug);
  }
}

// Errors outside a command's own flow (a child process's callback, a broken pipe) end the same way.
const fail = (e: unknown) => process.exit(reportError(e, debugRequested(process.argv)));
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
// A closed pipe (e.g. `| head`) ends the output quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A failed command may leave handles open (start's child processes): the process ends anyway, once its
// output is written, and the exit hooks stop what is left.
if (code !== EXIT.ok) setTimeout(() => process.exit(code), 1000).unref();
