// Validates merged values: the JSON schema first (as Helm does), then the cross-field rules.
import { Ajv, type ErrorObject } from "ajv";
import type { Values } from "../generated/values.ts";
import { valuesSchema } from "../model/schema.ts";
import { planEnvoy, type EnvoyPlan } from "../plan/envoy.ts";
import type { Doc } from "./load.ts";
import { checkRules, type RuleError } from "./rules.ts";
import { checkSizes } from "./sizes.ts";

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const schemaCheck = ajv.compile(valuesSchema);

/** Which check refused the values: the JSON schema (Helm's schema validation) or the cross-field rules
 * (the chart's `fail` in templates/_validate.tpl). */
export type Stage = "schema" | "rules";
/** Valid values come with their Envoy plan, which the size check made: no caller needs to plan them again. */
export type Validation =
  | { ok: true; values: Values; plan: EnvoyPlan }
  | { ok: false; stage: Stage; errors: RuleError[] };

export function validateValues(doc: Doc, release: string): Validation {
  if (!schemaCheck(doc)) return { ok: false, stage: "schema", errors: (schemaCheck.errors ?? []).map(schemaError) };
  const values = doc as unknown as Values;
  const rules = checkRules(values, release);
  if (rules.length) return { ok: false, stage: "rules", errors: rules };
  const plan = planEnvoy(values, release);
  const sizes = checkSizes(values, release, plan);
  return sizes.length ? { ok: false, stage: "rules", errors: sizes } : { ok: true, values, plan };
}

/** `/tailnets/0/services/1/port` -> `tailnets[0].services[1].port` */
export function fieldPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function schemaError(e: ErrorObject): RuleError {
  const path = fieldPath(e.instancePath) || "(top level)";
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const allowed = Object.keys(propertiesAt(e.schemaPath)).join(", ");
      return {
        path,
        message: `unknown key "${String(p.additionalProperty)}"${allowed ? ` (allowed: ${allowed})` : ""}`,
      };
    }
    case "required":
      return { path, message: `missing required key "${String(p.missingProperty)}"` };
    case "enum":
      return { path, message: `must be one of: ${(p.allowedValues as unknown[]).join(", ")}` };
    case "type":
      return { path, message: `must be of type ${String(p.type)}` };
    case "minItems":
      return { path, message: `must have at least ${String(p.limit)} item(s)` };
    case "maxItems":
      return { path, message: `must have at most ${String(p.limit)} items` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** The properties allowed at the schema location of an additionalProperties error. */
function propertiesAt(schemaPath: string): Record<string, unknown> {
  let node: unknown = valuesSchema;
  for (const part of schemaPath.replace(/^#\//, "").split("/").slice(0, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return (node as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
}

export function formatErrors(errors: RuleError[]): string {
  return errors.map((e) => `- ${e.path}: ${e.message}`).join("\n");
}
