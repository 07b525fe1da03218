// CLI: converts a Kubernetes swagger.json into kubeconform's standalone(-strict) schema directory.
//   tsx tools/src/kube/main.ts --spec swagger.json --out DIR [--no-strict] [--descriptions] [--source TEXT]
// DIR must not exist yet (tools/toolchain.sh converts into a temporary directory and renames it).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { apiVersionOf, convertKinds } from "./convert.ts";
import { parseSwagger } from "./swagger.ts";

interface SchemaIndex {
  readonly source: string;
  readonly specTitle: string;
  readonly specVersion: string;
  readonly strict: boolean;
  readonly kinds: ReadonlyArray<{
    readonly apiVersion: string;
    readonly kind: string;
    readonly file: string;
    readonly definition: string;
  }>;
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      spec: { type: "string" },
      out: { type: "string" },
      "no-strict": { type: "boolean", default: false },
      descriptions: { type: "boolean", default: false },
      source: { type: "string", default: "" },
    },
    strict: true,
  });
  if (values.spec === undefined || values.out === undefined)
    throw new Error("usage: main.ts --spec swagger.json --out DIR [--no-strict] [--descriptions] [--source TEXT]");
  if (existsSync(values.out)) throw new Error(`${values.out} already exists`);
  const spec = parseSwagger(readFileSync(values.spec, "utf8"));
  const strict = !values["no-strict"];
  const kinds = convertKinds(spec.definitions, { strict, descriptions: values.descriptions });
  mkdirSync(values.out, { recursive: true });
  for (const k of kinds) writeFileSync(join(values.out, k.file), `${JSON.stringify(k.schema)}\n`);
  const index: SchemaIndex = {
    source: values.source,
    specTitle: spec.title,
    specVersion: spec.version,
    strict,
    kinds: kinds.map((k) => ({
      apiVersion: apiVersionOf(k.gvk),
      kind: k.gvk.kind,
      file: k.file,
      definition: k.definition,
    })),
  };
  writeFileSync(join(values.out, "_index.json"), `${JSON.stringify(index, null, 1)}\n`);
  process.stderr.write(
    `[kube-schemas] ${kinds.length} kinds from ${values.source || `${spec.title} ${spec.version}`} -> ${values.out}\n`,
  );
}

main(process.argv.slice(2));
