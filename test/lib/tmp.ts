// Temporary values files for tests, removed when the test process exits.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

let dir: string | undefined;
let n = 0;

export function tmpValues(doc: unknown): string {
  if (!dir) {
    const d = mkdtempSync(join(tmpdir(), "tse-values-"));
    dir = d;
    process.on("exit", () => rmSync(d, { recursive: true, force: true }));
  }
  const file = join(dir, `values-${n++}.yaml`);
  writeFileSync(file, typeof doc === "string" ? doc : stringify(doc));
  return file;
}
