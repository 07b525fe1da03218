// Loads values the way Helm does: the chart's values.yaml, then each -f file in order, merged so that
// maps merge key by key, lists and scalars replace, and null deletes a default.
import { parse, YAMLParseError } from "yaml";
import { InputError, readInput } from "../lib/input.ts";
import { repoPath } from "../lib/paths.ts";

export type Doc = { [key: string]: unknown };

const isMap = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

export function mergeValues(base: Doc, over: Doc): Doc {
  const out: Doc = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeValues(out[key] as Doc, value);
    else out[key] = value;
  }
  return out;
}

export async function readValuesFile(path: string): Promise<Doc> {
  const text = await readInput(path);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw e instanceof YAMLParseError ? yamlError(path, e) : e;
  }
  if (doc === null || doc === undefined) return {};
  if (!isMap(doc)) throw new InputError(`${path}: a values file must be a YAML map at the top level`);
  return doc;
}

/** "file:line:col: not valid YAML: reason", then the yaml package's excerpt of the line with a caret. */
function yamlError(path: string, e: YAMLParseError): InputError {
  const [reason = e.message, excerpt = ""] = e.message.split(/ at line \d+, column \d+:\n\n/, 2);
  const where = e.linePos ? `${path}:${e.linePos[0].line}:${e.linePos[0].col}` : path;
  const why = e.code === "MULTIPLE_DOCS" ? "it holds more than one YAML document (---); a values file is one" : reason;
  const lines = excerpt
    .trimEnd()
    .split("\n")
    .filter((l) => l.trim() !== "");
  return new InputError([`${where}: not valid YAML: ${why}`, ...lines.map((l) => `  ${l}`)].join("\n"));
}

export async function chartDefaults(): Promise<Doc> {
  return readValuesFile(repoPath("values.yaml"));
}

/** Chart defaults merged with the given files, in order. */
export async function loadValues(files: string[]): Promise<Doc> {
  let values = await chartDefaults();
  for (const f of files) values = mergeValues(values, await readValuesFile(f));
  return values;
}
