// How the CLI ends on an error: an exit code per kind of failure, and a message without a stack trace
// unless --debug (or TAILNET_EGRESS_DEBUG=1) asks for one.
import { InputError } from "../lib/input.ts";
import { MissingToolError } from "../lib/toolpaths.ts";
import { UsageError } from "./args.ts";
import { InvalidValuesError } from "./load.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2, missingTool: 3, unexpected: 4 } as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  invalid values, or a check that failed (plan refused a port remap, a golden differs)
  2  usage or input error: unknown command or option, a missing or unreadable file, YAML that does not parse
  3  a required tool is not installed; the message gives the command that installs it
  4  unexpected error; rerun with --debug (or TAILNET_EGRESS_DEBUG=1) for the stack trace`;

export const DEBUG_FLAG = "--debug";

export function debugRequested(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.TAILNET_EGRESS_DEBUG;
  return argv.includes(DEBUG_FLAG) || (v !== undefined && v !== "" && v !== "0");
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError || e instanceof InputError) return EXIT.usage;
  if (e instanceof InvalidValuesError) return EXIT.failed;
  if (e instanceof MissingToolError) return EXIT.missingTool;
  return EXIT.unexpected;
}

/** Prints the error on stderr and returns the exit code for it. */
export function reportError(e: unknown, debug: boolean): number {
  const code = exitCodeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  if (debug) console.error(e instanceof Error && e.stack ? e.stack : message);
  else if (code === EXIT.unexpected)
    console.error(
      `error: ${message}\nunexpected error: rerun with ${DEBUG_FLAG} (or TAILNET_EGRESS_DEBUG=1) for the stack trace`,
    );
  else console.error(message);
  return code;
}
