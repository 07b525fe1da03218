// What a kubelet gives a pod that reads the API: a namespace, a bound ServiceAccount token (TokenRequest),
// the cluster CA and the namespace name, laid out as /var/run/secrets/kubernetes.io/serviceaccount. The
// pod runner mounts that directory into containerboot's sandbox and points kubernetes.default.svc at the
// control plane's address.
import fs from "node:fs";
import path from "node:path";
import type { Manifest } from "../../helm/manifests.ts";
import { waitFor } from "../lab/procs.ts";
import { tempDir } from "../lab/tempdirs.ts";
import { API_PORT, type ControlPlane } from "./controlplane.ts";

/** How a pod's containers reach the API (what containerboot's sandbox needs). */
export interface KubeEndpoint {
  readonly host: string;
  readonly port: number;
  /** Directory laid out like /var/run/secrets/kubernetes.io/serviceaccount. */
  readonly serviceAccountDir: string;
}

export interface PodKubeAccess extends KubeEndpoint {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** A Secret's data, decoded (undefined if it does not exist), read as the admin. */
  secretData(name: string): Promise<Record<string, Buffer> | undefined>;
  secretNames(): Promise<string[]>;
}

/** What runs kubectl as an admin: a control plane, or a local cluster (which runs it in its own namespace). */
export interface KubectlClient {
  kubectl(args: readonly string[], opts?: { input?: string }): Promise<unknown>;
}

/** A namespace that enforces, warns and audits at the restricted Pod Security level, once the controller
 * manager has given it its default ServiceAccount and kube-root-ca.crt. Idempotent. */
export async function restrictedNamespace(cp: KubectlClient, name: string): Promise<string> {
  const labels = Object.fromEntries(
    ["enforce", "warn", "audit"].map((m) => [`pod-security.kubernetes.io/${m}`, "restricted"]),
  );
  await cp.kubectl(["apply", "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }),
  });
  await waitFor(`namespace ${name} ready`, 30_000, async () => {
    const r = await cp
      .kubectl(["get", "serviceaccount/default", "configmap/kube-root-ca.crt", "-n", name, "-o", "name"])
      .catch(() => undefined);
    return r ? true : undefined;
  });
  return name;
}

/** Applies objects into the namespace (server-side, so a second pod of the same release changes nothing). */
export async function applyInto(cp: ControlPlane, namespace: string, objects: readonly object[]): Promise<void> {
  const items = objects.map((o) => ({ ...o, metadata: { ...(o as Manifest).metadata, namespace } }));
  await cp.kubectl(["apply", "--server-side", "--field-manager=tailnet-egress-local", "-n", namespace, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items }),
  });
}

/** A bound token for the ServiceAccount (TokenRequest, 1 hour), the CA and the namespace, in a directory. */
export async function serviceAccountAccess(
  cp: ControlPlane,
  namespace: string,
  serviceAccount: string,
): Promise<PodKubeAccess> {
  const { stdout: token } = await cp.kubectl(["create", "token", serviceAccount, "-n", namespace, "--duration=3600s"]);
  const dir = tempDir(`sa-${namespace}-${serviceAccount}`);
  fs.writeFileSync(path.join(dir, "token"), token.trim());
  fs.writeFileSync(path.join(dir, "ca.crt"), cp.pki.caPem);
  fs.writeFileSync(path.join(dir, "namespace"), namespace);
  fs.chmodSync(dir, 0o755);
  for (const f of ["token", "ca.crt", "namespace"]) fs.chmodSync(path.join(dir, f), 0o644);
  return {
    host: cp.host,
    port: API_PORT,
    serviceAccountDir: dir,
    namespace,
    serviceAccount,
    async secretData(name) {
      const r = await cp.kubectl(["get", "secret", name, "-n", namespace, "-o", "json", "--ignore-not-found"]);
      if (!r.stdout.trim()) return undefined;
      const data = (JSON.parse(r.stdout) as { data?: Record<string, string> }).data ?? {};
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64")]));
    },
    async secretNames() {
      const r = await cp.kubectl(["get", "secrets", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}"]);
      return r.stdout.split(/\s+/).filter(Boolean).sort();
    },
  };
}

/** The chart's own ServiceAccount, Role, RoleBinding and state Secrets from the rendered manifests, applied
 * into a restricted namespace, and a token for that ServiceAccount: what the rendered pod's Tailscale
 * containers get on a real cluster. */
export async function podKubeAccess(
  cp: ControlPlane,
  manifests: readonly Manifest[],
  namespace: string,
): Promise<PodKubeAccess> {
  await restrictedNamespace(cp, namespace);
  const kinds = new Set(["ServiceAccount", "Role", "RoleBinding"]);
  const flat = manifests.flatMap((m) => (m.kind === "List" ? ((m.items as Manifest[] | undefined) ?? []) : [m]));
  // The state Secrets are the ones the chart renders without data (the auth-key Secret has data).
  const wanted = flat.filter(
    (m) => kinds.has(m.kind) || (m.kind === "Secret" && m.data === undefined && m.stringData === undefined),
  );
  await applyInto(
    cp,
    namespace,
    wanted.map((m) => (m.kind === "RoleBinding" ? withSubjectNamespace(m, namespace) : m)),
  );
  const sts = manifests.find((m) => m.kind === "StatefulSet");
  const sa =
    (sts?.spec as { template?: { spec?: { serviceAccountName?: string } } } | undefined)?.template?.spec
      ?.serviceAccountName ?? "default";
  return serviceAccountAccess(cp, namespace, sa);
}

function withSubjectNamespace(m: Manifest, namespace: string): Manifest {
  const subjects = ((m.subjects ?? []) as { namespace?: string }[]).map((s) => ({ ...s, namespace }));
  return { ...m, subjects };
}
