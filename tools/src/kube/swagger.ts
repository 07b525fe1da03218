// The subset of Swagger 2.0 (OpenAPI v2) that Kubernetes publishes in api/openapi-spec/swagger.json,
// parsed from untrusted JSON into typed values. Any keyword outside this subset is an error, so a newer
// spec that starts using a feature the converter does not understand fails loudly instead of being
// silently dropped from validation.

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface SwaggerSchema {
  readonly type?: string;
  readonly format?: string;
  readonly $ref?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SwaggerSchema>>;
  readonly required?: readonly string[];
  readonly items?: SwaggerSchema;
  readonly additionalProperties?: boolean | SwaggerSchema;
  readonly enum?: readonly unknown[];
  readonly allOf?: readonly SwaggerSchema[];
  readonly gvks?: readonly GroupVersionKind[];
}

export interface SwaggerSpec {
  readonly title: string;
  readonly version: string;
  readonly definitions: ReadonlyMap<string, SwaggerSchema>;
}

/** Keywords whose only effect is documentation or server-side merge behaviour; ignored. */
const IGNORED = new Set(["default", "example", "readOnly", "x-kubernetes-unions"]);

export class SwaggerFormatError extends Error {
  override readonly name = "SwaggerFormatError";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown, where: string): string {
  if (typeof v !== "string") throw new SwaggerFormatError(`${where}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function parseGvks(v: unknown, where: string): GroupVersionKind[] {
  if (!Array.isArray(v)) throw new SwaggerFormatError(`${where}: x-kubernetes-group-version-kind is not an array`);
  return v.map((g: unknown, i) => {
    if (!isRecord(g)) throw new SwaggerFormatError(`${where}: gvk[${i}] is not an object`);
    return {
      group: str(g.group, `${where}.gvk[${i}].group`),
      version: str(g.version, `${where}.gvk[${i}].version`),
      kind: str(g.kind, `${where}.gvk[${i}].kind`),
    };
  });
}

export function parseSchema(v: unknown, where: string): SwaggerSchema {
  if (!isRecord(v)) throw new SwaggerFormatError(`${where}: schema is not an object`);
  const out: {
    type?: string;
    format?: string;
    $ref?: string;
    description?: string;
    properties?: Record<string, SwaggerSchema>;
    required?: string[];
    items?: SwaggerSchema;
    additionalProperties?: boolean | SwaggerSchema;
    enum?: unknown[];
    allOf?: SwaggerSchema[];
    gvks?: GroupVersionKind[];
  } = {};
  for (const [k, val] of Object.entries(v)) {
    const at = `${where}.${k}`;
    switch (k) {
      case "type":
        out.type = str(val, at);
        break;
      case "format":
        out.format = str(val, at);
        break;
      case "$ref":
        out.$ref = str(val, at);
        break;
      case "description":
        out.description = str(val, at);
        break;
      case "properties": {
        if (!isRecord(val)) throw new SwaggerFormatError(`${at}: not an object`);
        const props: Record<string, SwaggerSchema> = {};
        for (const [name, p] of Object.entries(val)) props[name] = parseSchema(p, `${at}[${JSON.stringify(name)}]`);
        out.properties = props;
        break;
      }
      case "required":
        if (!Array.isArray(val)) throw new SwaggerFormatError(`${at}: not an array`);
        out.required = val.map((r: unknown, i) => str(r, `${at}[${i}]`));
        break;
      case "items":
        out.items = parseSchema(val, at);
        break;
      case "additionalProperties":
        out.additionalProperties = typeof val === "boolean" ? val : parseSchema(val, at);
        break;
      case "enum":
        if (!Array.isArray(val)) throw new SwaggerFormatError(`${at}: not an array`);
        out.enum = [...(val as unknown[])];
        break;
      case "allOf":
        if (!Array.isArray(val)) throw new SwaggerFormatError(`${at}: not an array`);
        out.allOf = val.map((s: unknown, i) => parseSchema(s, `${at}[${i}]`));
        break;
      case "x-kubernetes-group-version-kind":
        out.gvks = parseGvks(val, where);
        break;
      default:
        if (
          IGNORED.has(k) ||
          (k.startsWith("x-kubernetes-") &&
            k !== "x-kubernetes-preserve-unknown-fields" &&
            k !== "x-kubernetes-int-or-string" &&
            k !== "x-kubernetes-embedded-resource")
        )
          break;
        throw new SwaggerFormatError(
          `${at}: unsupported schema keyword ${JSON.stringify(k)} (extend tools/src/kube/ to handle it)`,
        );
    }
  }
  return out;
}

/** Parses the text of a Kubernetes swagger.json. */
export function parseSwagger(text: string): SwaggerSpec {
  const doc: unknown = JSON.parse(text);
  if (!isRecord(doc)) throw new SwaggerFormatError("swagger.json: top level is not an object");
  if (doc.swagger !== "2.0")
    throw new SwaggerFormatError(`swagger.json: expected "swagger": "2.0", got ${JSON.stringify(doc.swagger)}`);
  const info = doc.info;
  if (!isRecord(info)) throw new SwaggerFormatError("swagger.json: no info object");
  const defs = doc.definitions;
  if (!isRecord(defs)) throw new SwaggerFormatError("swagger.json: no definitions object");
  const definitions = new Map<string, SwaggerSchema>();
  for (const [name, s] of Object.entries(defs)) definitions.set(name, parseSchema(s, name));
  return { title: str(info.title, "info.title"), version: str(info.version, "info.version"), definitions };
}
