// Runs the CLI: picks the command from the table, prints usage and --version, ends every error the same way.
// Both entry points (main.ts in the checkout, npm-main.ts in the npm package) call runCli.
import { readFileSync } from "node:fs";
import { repoPath } from "../lib/paths.ts";
import { DEBUG_FLAG, debugRequested, EXIT, EXIT_CODES_HELP, reportError } from "./errors.ts";
import { type CommandName, type Loaders, SUMMARIES } from "./table.ts";

export interface CliOptions {
  /** The commands this entry runs; the npm package lacks those that need the checkout. */
  commands: Partial<Loaders>;
}

/** The package.json next to the code: the repository's, or the npm package's own. */
export function ownPackage(): { version: string; homepage?: string } {
  return JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string; homepage?: string };
}

/** Where the commands this entry lacks run: the package.json next to the npm package's bundle names the home. */
function elsewhere(): string {
  const { homepage } = ownPackage();
  return `in a checkout of the chart's repository${homepage ? ` (${homepage})` : ""}, after npm ci`;
}

const list = (names: CommandName[]) => names.map((n) => `  ${n.padEnd(10)} ${SUMMARIES[n]}`).join("\n");

function usage(o: CliOptions): string {
  const names = Object.keys(SUMMARIES) as CommandName[];
  const here = names.filter((n) => n in o.commands);
  const missing = names.filter((n) => !(n in o.commands));
  const others = missing.length ? `\n\nThese run ${elsewhere()}:\n${list(missing)}` : "";
  return `Usage: tailnet-egress <command> [options]

Commands:
${list(here)}${others}

Run tailnet-egress <command> --help for a command's options. ${DEBUG_FLAG}, anywhere on the command line
(or TAILNET_EGRESS_DEBUG=1), prints the stack trace of an error. tailnet-egress --version prints the version.

${EXIT_CODES_HELP}`;
}

export async function main(argv: string[], o: CliOptions): Promise<number> {
  const debug = debugRequested(argv);
  const [name, ...rest] = argv.filter((a) => a !== DEBUG_FLAG);
  try {
    if (!name) return (console.error(usage(o)), EXIT.usage);
    if (name === "--help" || name === "-h" || name === "help") return (console.log(usage(o)), EXIT.ok);
    if (name === "--version" || name === "-V") return (console.log(ownPackage().version), EXIT.ok);
    const known = Object.hasOwn(SUMMARIES, name) ? (name as CommandName) : undefined;
    const load = known && o.commands[known];
    if (load) return await (await load()).run(rest);
    if (known) return (console.error(`"${name}" is not in this package: it runs ${elsewhere()}`), EXIT.usage);
    return (console.error(`unknown command "${name}"\n\n${usage(o)}`), EXIT.usage);
  } catch (e) {
    return reportError(e, debug);
  }
}

/** Runs the command line of this process and sets its exit code. */
export async function runCli(o: CliOptions): Promise<void> {
  // Errors outside a command's own flow (a child process's callback, a broken pipe) end the same way.
  const fail = (e: unknown) => process.exit(reportError(e, debugRequested(process.argv)));
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
  // A closed pipe (e.g. `| head`) ends the output quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  const code = await main(process.argv.slice(2), o);
  process.exitCode = code;
  // A failed command may leave handles open (start's child processes): the process ends anyway, once its
  // output is written, and the exit hooks stop what is left.
  if (code !== EXIT.ok) setTimeout(() => process.exit(code), 1000).unref();
}
