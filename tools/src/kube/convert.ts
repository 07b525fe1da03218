// Converts Kubernetes swagger definitions into standalone JSON schemas, one per kind and API version, in
// the file layout kubeconform looks up ("<kind>-<group prefix>-<version>.json", core group without the
// group part). Every schema is self-contained: referenced definitions are inlined, except definitions
// that are part of a reference cycle (the CRD JSONSchemaProps family), which go to the file's own
// "definitions" and are referenced locally. Only draft-04 keywords are emitted (kubeconform compiles
// schemas as draft-04 by default; ajv and later drafts read them identically).
//
// Semantics, chosen to match what the API server accepts:
// - strict: an object schema with "properties" and no "additionalProperties" gets
//   "additionalProperties": false, so unknown fields are errors;
// - optional properties (not in their object's "required") also accept null, as the API server
//   decodes null as "unset"; required ones, array items and map values do not;
// - IntOrString is integer or string, Quantity is string or number (as the official OpenAPI v3
//   spec states; the v2 spec says only "string", which would reject `cpu: 1`).
import type { GroupVersionKind, SwaggerSchema } from "./swagger.ts";

export type JsonType = "string" | "integer" | "number" | "boolean" | "object" | "array" | "null";

export interface JsonSchema {
  type?: JsonType | JsonType[];
  format?: string;
  description?: string;
  enum?: unknown[];
  $ref?: string;
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  definitions?: Record<string, JsonSchema>;
  "x-kubernetes-group-version-kind"?: GroupVersionKind[];
}

export interface ConvertOptions {
  /** additionalProperties: false on objects with declared properties. */
  readonly strict: boolean;
  /** Keep the spec's field descriptions (they triple the output size). */
  readonly descriptions: boolean;
}

export interface KindSchema {
  readonly file: string;
  readonly gvk: GroupVersionKind;
  readonly definition: string;
  readonly schema: JsonSchema;
}

const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const REF_PREFIX = "#/definitions/";

const JSON_TYPES: ReadonlySet<string> = new Set(["string", "integer", "number", "boolean", "object", "array"]);

export class ConvertError extends Error {
  override readonly name = "ConvertError";
}

/** kubeconform's file name for a kind: lower-case kind, first label of the group, version. */
export function kindFileName(gvk: GroupVersionKind): string {
  const groupPart = gvk.group === "" ? "" : `-${gvk.group.split(".")[0]!.toLowerCase()}`;
  return `${gvk.kind.toLowerCase()}${groupPart}-${gvk.version.toLowerCase()}.json`;
}

export function apiVersionOf(gvk: GroupVersionKind): string {
  return gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
}

function refName(ref: string): string {
  if (!ref.startsWith(REF_PREFIX))
    throw new ConvertError(`unsupported $ref ${JSON.stringify(ref)} (only local definitions)`);
  return ref.slice(REF_PREFIX.length);
}

/** Names of the definitions a schema references directly. */
function directRefs(s: SwaggerSchema, out: Set<string> = new Set()): Set<string> {
  if (s.$ref !== undefined) out.add(refName(s.$ref));
  for (const p of Object.values(s.properties ?? {})) directRefs(p, out);
  if (s.items) directRefs(s.items, out);
  if (typeof s.additionalProperties === "object") directRefs(s.additionalProperties, out);
  for (const a of s.allOf ?? []) directRefs(a, out);
  return out;
}

/** Definitions that can reach themselves through references; these cannot be inlined. */
export function recursiveDefinitions(defs: ReadonlyMap<string, SwaggerSchema>): Set<string> {
  const edges = new Map<string, Set<string>>();
  for (const [name, s] of defs) edges.set(name, directRefs(s));
  const rec = new Set<string>();
  for (const start of defs.keys()) {
    const seen = new Set<string>();
    const stack = [...(edges.get(start) ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === start) {
        rec.add(start);
        break;
      }
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(edges.get(n) ?? []));
    }
  }
  return rec;
}

function withNull(s: JsonSchema): JsonSchema {
  if (s.$ref !== undefined) return { oneOf: [{ type: "null" }, s] };
  if (s.oneOf !== undefined)
    return s.oneOf.some((o) => o.type === "null") ? s : { ...s, oneOf: [...s.oneOf, { type: "null" }] };
  if (s.type === undefined) return s; // any value, null included
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const out: JsonSchema = { ...s, type: types.includes("null") ? types : [...types, "null"] };
  if (out.enum !== undefined && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

class Converter {
  private readonly used = new Set<string>();

  constructor(
    private readonly defs: ReadonlyMap<string, SwaggerSchema>,
    private readonly recursive: ReadonlySet<string>,
    private readonly opts: ConvertOptions,
  ) {}

  /** Converts one definition into a standalone schema (root plus any recursive definitions it needs). */
  standalone(name: string): JsonSchema {
    this.used.clear();
    const root = this.definition(name, [name]);
    const definitions: Record<string, JsonSchema> = {};
    const pending = [...this.used];
    for (let n = pending.shift(); n !== undefined; n = pending.shift()) {
      if (n in definitions) continue;
      const before = new Set(this.used);
      definitions[n] = this.definition(n, [n]);
      for (const u of this.used) if (!before.has(u)) pending.push(u);
    }
    return Object.keys(definitions).length > 0 ? { ...root, definitions: sortKeys(definitions) } : root;
  }

  private definition(name: string, path: readonly string[]): JsonSchema {
    if (name === QUANTITY)
      return this.describe({ oneOf: [{ type: "string" }, { type: "number" }] }, this.defs.get(name));
    if (name === INT_OR_STRING)
      return this.describe({ oneOf: [{ type: "string" }, { type: "integer" }] }, this.defs.get(name));
    const def = this.defs.get(name);
    if (def === undefined) throw new ConvertError(`${path.join(" > ")}: reference to missing definition ${name}`);
    return this.schema(def, path);
  }

  private describe(s: JsonSchema, src: SwaggerSchema | undefined): JsonSchema {
    return this.opts.descriptions && src?.description !== undefined ? { description: src.description, ...s } : s;
  }

  private schema(s: SwaggerSchema, path: readonly string[]): JsonSchema {
    if (s.$ref !== undefined) {
      const name = refName(s.$ref);
      if (this.recursive.has(name)) {
        this.used.add(name);
        return { $ref: `${REF_PREFIX}${name}` };
      }
      if (path.includes(name)) throw new ConvertError(`${path.join(" > ")}: unexpected cycle through ${name}`);
      return this.definition(name, [...path, name]);
    }
    if (s.allOf !== undefined) {
      // OpenAPI generators wrap a $ref in a one-element allOf to attach siblings such as "default".
      if (s.allOf.length !== 1 || s.allOf[0] === undefined)
        throw new ConvertError(`${path.join(" > ")}: allOf with ${s.allOf.length} elements is not supported`);
      return this.schema(s.allOf[0], path);
    }
    if (s.format === "int-or-string") return this.describe({ oneOf: [{ type: "string" }, { type: "integer" }] }, s);

    const out: JsonSchema = {};
    if (this.opts.descriptions && s.description !== undefined) out.description = s.description;
    if (s.type !== undefined) {
      if (!JSON_TYPES.has(s.type))
        throw new ConvertError(`${path.join(" > ")}: unknown type ${JSON.stringify(s.type)}`);
      out.type = s.type as JsonType;
    }
    if (s.format !== undefined) out.format = s.format;
    if (s.enum !== undefined) out.enum = [...s.enum];
    if (s.properties !== undefined) {
      const required = new Set(s.required ?? []);
      const props: Record<string, JsonSchema> = {};
      for (const [pname, p] of Object.entries(s.properties)) {
        const conv = this.schema(p, [...path, pname]);
        props[pname] = required.has(pname) ? conv : withNull(conv);
      }
      out.properties = props;
    }
    if (s.required !== undefined && s.required.length > 0) out.required = [...s.required];
    if (s.items !== undefined) out.items = this.schema(s.items, [...path, "[]"]);
    if (s.additionalProperties !== undefined) {
      out.additionalProperties =
        typeof s.additionalProperties === "boolean"
          ? s.additionalProperties
          : this.schema(s.additionalProperties, [...path, "{}"]);
    } else if (this.opts.strict && s.properties !== undefined) {
      out.additionalProperties = false;
    }
    return out;
  }
}

function sortKeys<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One standalone schema per (kind, API version) found in the spec's x-kubernetes-group-version-kind. */
export function convertKinds(defs: ReadonlyMap<string, SwaggerSchema>, opts: ConvertOptions): KindSchema[] {
  const conv = new Converter(defs, recursiveDefinitions(defs), opts);
  const byFile = new Map<string, KindSchema>();
  for (const [name, def] of [...defs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (def.gvks === undefined) continue;
    const base = conv.standalone(name);
    for (const gvk of def.gvks) {
      const file = kindFileName(gvk);
      const prev = byFile.get(file);
      if (prev !== undefined) {
        throw new ConvertError(
          `${file}: both ${prev.definition} (${apiVersionOf(prev.gvk)}) and ${name} (${apiVersionOf(gvk)}) map to this file name`,
        );
      }
      byFile.set(file, { file, gvk, definition: name, schema: pinGvk(base, gvk) });
    }
  }
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** Restricts apiVersion and kind to the file's own values and records the GVK. */
function pinGvk(s: JsonSchema, gvk: GroupVersionKind): JsonSchema {
  const props = { ...(s.properties ?? {}) };
  if (props.apiVersion !== undefined)
    props.apiVersion = { ...props.apiVersion, type: "string", enum: [apiVersionOf(gvk)] };
  if (props.kind !== undefined) props.kind = { ...props.kind, type: "string", enum: [gvk.kind] };
  return { ...s, properties: props, "x-kubernetes-group-version-kind": [gvk] };
}
