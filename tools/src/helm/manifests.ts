// Parses rendered manifests and pulls out what the checks need.
import { parseAllDocuments } from "yaml";
import type { JsonObject } from "../lib/json.ts";
import { ENVOY_CONFIGMAPS } from "../plan/configmap.ts";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** The objects of a rendered release; a v1 List is flattened into its items, as Helm and kubectl do. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null && typeof m === "object")
    .flatMap((m) => (m.kind === "List" ? ((m.items as Manifest[] | undefined) ?? []) : [m]));
}

export function findOne(manifests: Manifest[], kind: string, nameSuffix = ""): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name.endsWith(nameSuffix));
  if (found.length !== 1) throw new Error(`expected one ${kind} named *${nameSuffix}, found ${found.length}`);
  return found[0] as Manifest;
}

/** The rendered Envoy ConfigMaps' data, by name suffix (envoy, envoy-lds, envoy-cds), as text. */
export function envoyConfigMaps(manifests: Manifest[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    ENVOY_CONFIGMAPS.map((c) => [
      c.suffix,
      (findOne(manifests, "ConfigMap", `-${c.suffix}`).data ?? {}) as Record<string, string>,
    ]),
  );
}

/** Every Envoy file of the rendered ConfigMaps, as text: what the pod's /etc/envoy holds. */
export function envoyConfigMapData(manifests: Manifest[]): Record<string, string> {
  return Object.assign({}, ...Object.values(envoyConfigMaps(manifests))) as Record<string, string>;
}

/** The Envoy files of the rendered ConfigMap, parsed. */
export function envoyFiles(manifests: Manifest[]): Record<string, JsonObject> {
  return Object.fromEntries(
    Object.entries(envoyConfigMapData(manifests)).map(([k, v]) => [k, JSON.parse(v) as JsonObject]),
  );
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
  protocol: string;
}

export function servicePorts(manifests: Manifest[]): ServicePort[] {
  const svc = findOne(manifests, "Service");
  return (svc.spec as { ports: ServicePort[] }).ports ?? [];
}

/** The pod template of the workload, which Kubernetes hashes to decide on a rollout. */
export function podTemplate(manifests: Manifest[]): unknown {
  return (findOne(manifests, "StatefulSet").spec as { template: unknown }).template;
}

/** The rendered args of the Envoy container. */
export function envoyArgs(manifests: Manifest[]): string[] {
  const spec = (podTemplate(manifests) as { spec: { containers: { name: string; args?: string[] }[] } }).spec;
  const envoy = spec.containers.find((c) => c.name === "envoy");
  if (!envoy) throw new Error("the rendered pod has no envoy container");
  return envoy.args ?? [];
}

/** The `helm test` hook (a Job by default, or a bare Pod with tests.kind: Pod) and the pod it runs: its labels
 * and spec, wherever the kind keeps them. */
export function testHook(manifests: Manifest[]): {
  hook: Manifest;
  pod: {
    metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: Record<string, unknown>;
  };
} {
  const hooks = manifests.filter((m) => m.metadata.annotations?.["helm.sh/hook"] === "test");
  if (hooks.length !== 1) throw new Error(`expected one helm test hook, found ${hooks.length}`);
  const hook = hooks[0] as Manifest;
  if (hook.kind === "Pod")
    return { hook, pod: { metadata: hook.metadata, spec: hook.spec as Record<string, unknown> } };
  if (hook.kind !== "Job") throw new Error(`the helm test hook is a ${hook.kind}, not a Job or Pod`);
  const template = (hook.spec as { template: { metadata?: Manifest["metadata"]; spec: object } }).template;
  return { hook, pod: { metadata: template.metadata ?? {}, spec: template.spec as Record<string, unknown> } };
}
