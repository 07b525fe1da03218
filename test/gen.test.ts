// Generated files (values.schema.json, values.yaml, the TS types) must match their source, the values model.
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFiles } from "../tools/src/gen/files.ts";
import { REPO_ROOT } from "../tools/src/lib/paths.ts";
import { valuesSchema, type Schema } from "../tools/src/model/schema.ts";

const files = await generatedFiles();

describe("generated files are fresh (run npm run gen if this fails)", () => {
  it.each(files.map((f) => [relative(REPO_ROOT, f.path), f] as const))("%s", async (_p, f) => {
    expect(await readFile(f.path, "utf8")).toBe(f.content);
  });
});

describe("values schema", () => {
  it("declares draft-07, which Helm up to 3.18.4 understands", () => {
    expect(valuesSchema.$schema).toBe("http://json-schema.org/draft-07/schema#");
  });
  it("describes every field", () => {
    const undocumented: string[] = [];
    const walk = (node: Schema, path: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) undocumented.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
      }
      if (node.items && !Array.isArray(node.items)) walk(node.items, `${path}[].`);
    };
    walk(valuesSchema, "");
    expect(undocumented).toEqual([]);
  });
  it("refuses unknown keys on every object it defines", () => {
    const open: string[] = [];
    const walk = (node: Schema, path: string) => {
      if (node.properties && node.additionalProperties !== false && path !== "global.") open.push(path || "(root)");
      for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, `${path}${key}.`);
      if (node.items && !Array.isArray(node.items)) walk(node.items, `${path}[].`);
    };
    walk(valuesSchema, "");
    expect(open).toEqual([]);
  });
});
