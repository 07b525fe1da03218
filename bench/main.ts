// npm run bench [-- <name> ...]: runs the named benchmarks (default: all) and updates bench/RESULTS.md and
// bench/results.json. Each module exports run(): Promise<Section>.
import { writeResults, type Section } from "./lib/results.ts";

const all: Record<string, () => Promise<{ run(): Promise<Section> }>> = {
  scale: () => import("./scale.ts"),
  dataplane: () => import("./dataplane.ts"),
  burst: () => import("./burst.ts"),
  pending: () => import("./pending.ts"),
  targetcheck: () => import("./targetcheck.ts"),
  cluster: () => import("./cluster.ts"),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const chosen = names.length ? names : Object.keys(all);
const sections: Section[] = [];
for (const name of chosen) {
  const load = all[name];
  if (!load) throw new Error(`unknown benchmark "${name}" (known: ${Object.keys(all).join(", ")})`);
  console.error(`bench: ${name}`);
  sections.push(await (await load()).run());
}
await writeResults(sections);
console.log("wrote bench/RESULTS.md and bench/results.json");
