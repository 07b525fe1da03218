// Argument parsing shared by the CLI commands.
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: false,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

export const valuesOptions = {
  values: { type: "string", short: "f", multiple: true },
  release: { type: "string", default: "tailscale-egress" },
} as const;
