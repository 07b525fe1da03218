// `npm run gen`: regenerates every file derived from the values model. `--check` reports stale files instead.
import { readFile, writeFile } from "node:fs/promises";
import { generatedFiles } from "./files.ts";

const check = process.argv.includes("--check");
let stale = 0;
for (const { path, content } of await generatedFiles()) {
  const current = await readFile(path, "utf8").catch(() => "");
  if (current === content) continue;
  if (check) {
    console.error(`stale: ${path} (run npm run gen)`);
    stale++;
  } else {
    await writeFile(path, content);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
