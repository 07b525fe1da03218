// Temporary values files for tests, removed after each test file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll } from "vitest";

let dir: string | undefined;
let n = 0;

// vitest's forked workers do not run process exit handlers, so each test file removes its own dir.
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

export function tmpValues(doc: unknown): string {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), "tse-values-"));
  }
  const file = join(dir, `values-${n++}.yaml`);
  writeFileSync(file, typeof doc === "string" ? doc : stringify(doc));
  return file;
}
