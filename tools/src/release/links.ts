// The packaged chart holds README.md but not docs/: Artifact Hub and `helm show readme` show the README
// alone, where a relative link leads nowhere. At package time every relative link of the chart's Markdown
// files is pointed at the same file in the tagged repository (<sources[0]>/blob/v<version>/<path>).
import { readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { parse } from "yaml";
import { isExternal, rewriteLinks } from "../lib/markdown.ts";

/** The tag a release of `version` is published under. */
export const releaseTag = (version: string) => `v${version}`;

/** `markdown` with each relative link made absolute under `<base>/blob/<ref>/`; `#anchor` links stay. */
export function absoluteLinks(markdown: string, base: string, ref: string): string {
  return rewriteLinks(markdown, (target) => {
    if (isExternal(target) || target.startsWith("#")) return undefined;
    const [path = "", anchor] = target.split("#", 2);
    const normal = posix.normalize(path);
    if (normal.startsWith("../") || posix.isAbsolute(normal))
      throw new Error(`link ${target} leaves the repository: the package cannot point it at the tag`);
    return `${base.replace(/\/+$/, "")}/blob/${ref}/${normal}${anchor === undefined ? "" : `#${anchor}`}`;
  });
}

/** Rewrites the Markdown files at the top of a staged chart directory in place, keeping their mtime. */
export async function absoluteChartLinks(chartDir: string, version: string, epoch: number): Promise<void> {
  const chart = parse(await readFile(join(chartDir, "Chart.yaml"), "utf8")) as { home?: string; sources?: string[] };
  const base = chart.sources?.[0] ?? chart.home;
  if (!base) throw new Error("Chart.yaml has neither sources nor home: nowhere to point the README's links");
  for (const name of await readdir(chartDir)) {
    if (!name.endsWith(".md")) continue;
    const file = join(chartDir, name);
    const text = await readFile(file, "utf8");
    const out = absoluteLinks(text, base, releaseTag(version));
    if (out === text) continue;
    await writeFile(file, out);
    await utimes(file, epoch, epoch);
  }
}
