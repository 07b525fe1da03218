// Loads and validates the values named on the command line, or explains why they are refused.
import type { Values } from "../generated/values.ts";
import { loadValues } from "../values/load.ts";
import { formatErrors, validateValues } from "../values/validate.ts";

export class InvalidValuesError extends Error {}

export async function loadValidValues(files: string[], release: string): Promise<Values> {
  const result = validateValues(await loadValues(files), release);
  if (!result.ok) throw new InvalidValuesError(`values are invalid:\n${formatErrors(result.errors)}`);
  return result.values;
}
