// Kubernetes names the chart generates. templates/_helpers.tpl implements the same functions.
import type { Values } from "../generated/values.ts";

export const CHART_NAME = "tailscale-egress";

/** The resource name prefix, as Helm charts conventionally derive it. */
export function fullname(values: Pick<Values, "nameOverride" | "fullnameOverride">, release: string): string {
  if (values.fullnameOverride) return trunc63(values.fullnameOverride);
  const name = values.nameOverride || CHART_NAME;
  return trunc63(release.includes(name) ? release : `${release}-${name}`);
}

function trunc63(s: string): string {
  return s.slice(0, 63).replace(/-+$/, "");
}

export const containerName = (tailnet: string): string => `ts-${tailnet}`;
/** containerboot's TS_KUBE_SECRET for pod <full>-<ordinal>. */
export const stateSecretName = (full: string, ordinal: number, tailnet: string): string =>
  `${full}-${ordinal}-${tailnet}-state`;

/** Every state Secret the chart creates (kubeSecret state): per pod ordinal, per tailnet. */
export function stateSecretNames(values: Values, release: string): string[] {
  if (values.tailscale.state !== "kubeSecret") return [];
  const full = fullname(values, release);
  return Array.from({ length: values.replicas }, (_, o) =>
    values.tailnets.map((tn) => stateSecretName(full, o, tn.name)),
  ).flat();
}

/** The pod's ServiceAccount (templates/_helpers.tpl "tailscale-egress.helpers.serviceAccountName"). */
export function serviceAccountName(values: Values, release: string): string {
  if (values.serviceAccount.create) return values.serviceAccount.name || fullname(values, release);
  return values.serviceAccount.name || "default";
}
