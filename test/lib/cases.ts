// The golden cases (and bundled examples) rendered once per test worker. The cases themselves are listed by
// goldenCases in tools/src/golden/cases.ts.
import { loadValidValues } from "../../tools/src/cli/load.ts";
import type { Values } from "../../tools/src/generated/values.ts";
import { GOLDEN_API_VERSIONS, GOLDEN_RELEASE, render, type HelmMajor } from "../../tools/src/helm/helm.ts";
import { parseManifests, type Manifest } from "../../tools/src/helm/manifests.ts";

const rendered = new Map<string, Promise<string>>();
/** helm template as the goldens render (with their API versions), cached per file, major and extra files. */
export function renderCached(file: string, major: HelmMajor = 3, extra: string[] = []): Promise<string> {
  const key = `${major}\0${file}\0${extra.join(" ")}`;
  let p = rendered.get(key);
  if (!p) {
    p = render({ major, valuesFiles: [file, ...extra], apiVersions: GOLDEN_API_VERSIONS });
    rendered.set(key, p);
  }
  return p;
}

export async function manifestsOf(file: string, major: HelmMajor = 3): Promise<Manifest[]> {
  return parseManifests(await renderCached(file, major));
}

export async function valuesOf(...files: string[]): Promise<Values> {
  return loadValidValues(files, GOLDEN_RELEASE);
}
