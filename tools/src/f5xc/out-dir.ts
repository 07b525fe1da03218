// The files `tailnet-egress f5xc --out DIR` writes: healthcheck/<name>.json, origin_pool/<name>.json and
// apply.sh, which creates or replaces exactly those objects. outFiles is pure (golden-tested); writeOutDir
// puts them on disk.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { applyScript, type ApplyEntry } from "./apply-script.ts";
import type { XcObject } from "./objects.ts";

export interface OutFile {
  /** Relative to DIR. */
  path: string;
  content: string;
  executable: boolean;
}

export const APPLY_SCRIPT = "apply.sh";

export const objectJson = (o: XcObject): string => `${JSON.stringify(o, null, 2)}\n`;

export function outFiles(plan: { healthchecks: XcObject[]; origin_pools: XcObject[] }): OutFile[] {
  const groups = [
    { dir: "healthcheck", collection: "healthchecks", objects: plan.healthchecks },
    { dir: "origin_pool", collection: "origin_pools", objects: plan.origin_pools },
  ] as const;
  const entries: ApplyEntry[] = [];
  const files: OutFile[] = [];
  for (const g of groups) {
    for (const o of g.objects) {
      const path = `${g.dir}/${o.metadata.name}.json`;
      entries.push({ collection: g.collection, namespace: o.metadata.namespace, name: o.metadata.name, file: path });
      files.push({ path, content: objectJson(o), executable: false });
    }
  }
  return [{ path: APPLY_SCRIPT, content: applyScript(entries), executable: true }, ...files];
}

export async function writeOutDir(dir: string, files: OutFile[]): Promise<void> {
  for (const f of files) {
    const path = join(dir, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
    if (f.executable) await chmod(path, 0o755);
  }
}
