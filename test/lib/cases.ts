// The golden cases and the bundled examples, rendered once per test worker.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Values } from "../../tools/src/generated/values.ts";
import { GOLDEN_RELEASE, render, type HelmMajor } from "../../tools/src/helm/helm.ts";
import { parseManifests, type Manifest } from "../../tools/src/helm/manifests.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { loadValues } from "../../tools/src/values/load.ts";
import { validateValues } from "../../tools/src/values/validate.ts";

export interface Case {
  name: string;
  file: string;
}

export function goldenInputs(): Case[] {
  const dir = repoPath("test/helm");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".in.yaml"))
    .sort()
    .map((f) => ({ name: f.replace(/\.in\.yaml$/, ""), file: join(dir, f) }));
}

export function exampleInputs(): Case[] {
  const dir = repoPath("examples");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ name: `examples/${f}`, file: join(dir, f) }));
}

export const allInputs = (): Case[] => [...goldenInputs(), ...exampleInputs()];

const rendered = new Map<string, Promise<string>>();
export function renderCached(file: string, major: HelmMajor = 3, extra: string[] = []): Promise<string> {
  const key = `${major}\0${file}\0${extra.join(" ")}`;
  let p = rendered.get(key);
  if (!p) {
    p = render({ major, valuesFiles: [file, ...extra] });
    rendered.set(key, p);
  }
  return p;
}

export async function manifestsOf(file: string, major: HelmMajor = 3): Promise<Manifest[]> {
  return parseManifests(await renderCached(file, major));
}

export async function valuesOf(...files: string[]): Promise<Values> {
  const r = validateValues(await loadValues(files), GOLDEN_RELEASE);
  if (!r.ok) throw new Error(`invalid test values ${files.join(", ")}: ${JSON.stringify(r.errors)}`);
  return r.values;
}
