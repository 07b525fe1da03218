// Temporary values files, in a temp dir of the lab's (lab/tempdirs.ts), removed after each test file.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { removeTempDir, tempDir } from "./lab/tempdirs.ts";

let dir: string | undefined;
let n = 0;

const removeDir = () => {
  if (dir) removeTempDir(dir);
  dir = undefined;
};
// The lab root goes at exit (or with cleanupAll()); under vitest each test file also removes its own dir.
if (process.env.VITEST) {
  try {
    (await import("vitest")).afterAll(removeDir);
  } catch {
    // A process started by a test (e.g. npm start) inherits VITEST but runs no suite: the exit hook serves.
  }
}

export function tmpValues(doc: unknown): string {
  // cleanupAll() may have removed the lab root (and this dir with it) since the last call.
  if (!dir || !existsSync(dir)) dir = tempDir("values");
  const file = join(dir, `values-${n++}.yaml`);
  writeFileSync(file, typeof doc === "string" ? doc : stringify(doc));
  return file;
}
