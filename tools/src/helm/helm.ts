// Runs the pinned Helm binaries. Golden output is deterministic: fixed release, namespace, kube version and,
// for the golden cases, API versions.
import { execa } from "execa";
import { repoPath } from "../lib/paths.ts";
import { toolPath } from "../lib/toolpaths.ts";

export const GOLDEN_RELEASE = "tailscale-egress";
export const GOLDEN_NAMESPACE = "egress";
export const GOLDEN_KUBE_VERSION = "1.23.0";
/** The optional APIs the golden cases render with, so that their gated objects (the ServiceMonitor and
 * PrometheusRule) show. */
export const GOLDEN_API_VERSIONS = [
  "monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PrometheusRule",
];
export const HELM_MAJORS = [3, 4] as const;
export type HelmMajor = (typeof HELM_MAJORS)[number];

export interface HelmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TemplateOptions {
  major: HelmMajor;
  valuesFiles: string[];
  release?: string;
  namespace?: string;
  kubeVersion?: string;
  /** --api-versions: APIs the chart may assume beyond the built-in ones. */
  apiVersions?: string[];
  chart?: string;
  extraArgs?: string[];
}

export function helmBinary(major: HelmMajor): string {
  return toolPath(major === 3 ? "helm3" : "helm4");
}

export async function helm(major: HelmMajor, args: string[], env: Record<string, string> = {}): Promise<HelmResult> {
  const r = await execa(helmBinary(major), args, {
    reject: false,
    env: { HELM_CACHE_HOME: repoPath(".tmp/helm-cache"), ...env },
  });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export async function helmTemplate(o: TemplateOptions): Promise<HelmResult> {
  const args = [
    "template",
    o.release ?? GOLDEN_RELEASE,
    o.chart ?? repoPath(),
    "--namespace",
    o.namespace ?? GOLDEN_NAMESPACE,
    "--kube-version",
    o.kubeVersion ?? GOLDEN_KUBE_VERSION,
    ...(o.apiVersions ?? []).flatMap((v) => ["--api-versions", v]),
    ...o.valuesFiles.flatMap((f) => ["-f", f]),
    ...(o.extraArgs ?? []),
  ];
  return helm(o.major, args);
}

/** helm template, throwing with Helm's message on failure. */
export async function render(o: TemplateOptions): Promise<string> {
  const r = await helmTemplate(o);
  if (r.exitCode !== 0) throw new Error(`helm ${o.major} template failed:\n${r.stderr}`);
  return r.stdout;
}
