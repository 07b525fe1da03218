// Temporary values files for tests, removed after each test file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

let dir: string | undefined;
let n = 0;

const removeDir = () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
};
// vitest's forked workers do not run process exit handlers, so under vitest each test file removes its own
// dir; elsewhere (npm start, benchmarks) the process exit does.
process.on("exit", removeDir);
if (process.env.VITEST) {
  try {
    (await import("vitest")).afterAll(removeDir);
  } catch {
    // A process started by a test (e.g. npm start) inherits VITEST but runs no suite: the exit hook serves.
  }
}

export function tmpValues(doc: unknown): string {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), "tse-values-"));
  }
  const file = join(dir, `values-${n++}.yaml`);
  writeFileSync(file, typeof doc === "string" ? doc : stringify(doc));
  return file;
}
