// Loads and validates the values named on the command line, or explains why they are refused.
import type { Values } from "../generated/values.ts";
import type { EnvoyPlan } from "../plan/envoy.ts";
import { loadValues } from "../values/load.ts";
import { formatErrors, validateValues } from "../values/validate.ts";

export class InvalidValuesError extends Error {}

/** The valid values and their Envoy plan (made while validating them). */
export async function loadValidated(files: string[], release: string): Promise<{ values: Values; plan: EnvoyPlan }> {
  const result = validateValues(await loadValues(files), release);
  if (!result.ok) throw new InvalidValuesError(`values are invalid:\n${formatErrors(result.errors)}`);
  return { values: result.values, plan: result.plan };
}

export async function loadValidValues(files: string[], release: string): Promise<Values> {
  return (await loadValidated(files, release)).values;
}
