// The real control plane under the tests: one per test file (started in beforeAll, stopped by PID in
// afterAll), a restricted namespace per test, and Helm and kubectl pointed at it.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { helm, type HelmMajor, type HelmResult } from "../../tools/src/helm/helm.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { startControlPlane, type ControlPlane } from "../../tools/src/local/kube/controlplane.ts";
import { restrictedNamespace } from "../../tools/src/local/kube/access.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";

/** Starts a control plane for this test file; the getter throws if used before beforeAll ran. */
export function useControlPlane(name: string): () => ControlPlane {
  let cp: ControlPlane | undefined;
  beforeAll(async () => {
    cp = await startControlPlane({ name });
    console.log(`control plane ${name} on ${cp.host}: ${JSON.stringify(cp.startup)} s`);
  }, 120_000);
  afterAll(async () => {
    await cp?.stop();
  }, 60_000);
  return () => {
    if (!cp) throw new Error("the control plane is not running (beforeAll failed?)");
    return cp;
  };
}

let nsCount = 0;

/** A fresh restricted namespace for one test (see tools/src/local/kube/access.ts). */
export function testNamespace(cp: ControlPlane, prefix: string): Promise<string> {
  return restrictedNamespace(cp, `${prefix}-${process.pid % 10_000}-${nsCount++}`.slice(0, 63));
}

/** Helm against the control plane, as the admin or as the user of the given kubeconfig. */
export function kubeHelm(
  cp: ControlPlane,
  major: HelmMajor,
  args: readonly string[],
  kubeconfig = cp.kubeconfig,
): Promise<HelmResult> {
  return helm(major, [...args, "--kubeconfig", kubeconfig]);
}

export async function kubeHelmOk(
  cp: ControlPlane,
  major: HelmMajor,
  args: readonly string[],
  kubeconfig = cp.kubeconfig,
): Promise<HelmResult> {
  const r = await kubeHelm(cp, major, args, kubeconfig);
  if (r.exitCode !== 0) throw new Error(`helm ${major} ${args.join(" ")} failed (${r.exitCode}):\n${r.stderr}`);
  return r;
}

/** Values files written for one test (removed with the lab's temp root). */
export function valuesFile(doc: unknown, name = "values"): string {
  const file = path.join(tempDir(name), `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

export const CHART = repoPath();

interface KubeObject {
  metadata: {
    name: string;
    uid: string;
    generation?: number;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  [key: string]: unknown;
}

export async function getObject<T = KubeObject>(cp: ControlPlane, ns: string, ref: string): Promise<T> {
  return cp.getJson<T>(["get", ref, "-n", ns]);
}

export async function listObjects(
  cp: ControlPlane,
  ns: string,
  kinds: string,
  selector?: string,
): Promise<KubeObject[]> {
  const args = ["get", kinds, "-n", ns, ...(selector ? ["-l", selector] : [])];
  return (await cp.getJson<{ items: KubeObject[] }>(args)).items;
}

export type { ControlPlane };
