// The F5 XC virtual K8s (vK8s) profile of the local control plane: a namespace where an ordinary user (a client
// certificate, no group that RBAC binds by default) may do what vK8s lets a user do, and no more, made of the
// API server's own mechanisms (RBAC and a ValidatingAdmissionPolicy).
//
// Source: F5's published vK8s API description, the header comment of
// pbgo/extschema/schema/virtual_k8s/public_crudapi.pb.go in the public repository
// volterraedge/terraform-provider-volterra (read at commit acaccd25d212fb4473170842ea3a58c42780e19e):
//   "Read and write operations are currently supported on the following Kubernetes API resources:
//    1. Deployment v1 apps  2. StatefulSet v1 apps  3. DaemonSet v1 apps  4. Job v1 batch  5. CronJob v1beta1 batch
//    6. Service v1 core with type ClusterIP  7. Secret v1 core  8. ConfigMap v1 core  9. ServiceAccount v1 core
//    10. PersistentVolumeClaim v1 core
//    Only delete is supported on Pod v1 core.
//    Read only operations are currently supported on the following Kubernetes API resources:
//    1. Pod v1 core  2. ReplicaSet v1 apps  3. Endpoints v1 core  4. Node v1 core  5. Namespace v1 core
//    6. PersistentVolume v1 core  7. Event v1 core"
//
// The rules, as RBAC and admission:
// - every verb (get, list, watch, create, update, patch, delete, deletecollection) on the ten read-write kinds,
//   in the user's namespace (RBAC names resources, not versions: CronJob is batch/v1 on current Kubernetes);
// - get, list, watch and delete on Pods; no create: a bare Pod, as a `helm test` Pod hook, is refused;
// - get on pods/log (`kubectl logs`), which F5's list does not name: allowed so that a failed test Job's log
//   can be read, an assumption not verified on vK8s;
// - get, list, watch on ReplicaSets, Endpoints and Events in the namespace, and on Nodes, Namespaces and
//   PersistentVolumes (cluster-scoped, through a ClusterRoleBinding);
// - nothing else: no Role, RoleBinding, PodDisruptionBudget, NetworkPolicy, Ingress, CRD objects (ServiceMonitor);
// - a ValidatingAdmissionPolicy in the profile's namespaces refuses every Service whose type is not ClusterIP
//   (NodePort, LoadBalancer, ExternalName), for every user.
// Not modelled: F5's per-site multiplication of replicas, its sidecar, quotas and securityContext rules.
import fs from "node:fs";
import path from "node:path";
import { waitFor } from "../lab/procs.ts";
import { kubeconfigText, type ControlPlane } from "./controlplane.ts";
import { userCertificate } from "./pki.ts";

export const VK8S_SOURCE =
  "volterraedge/terraform-provider-volterra, pbgo/extschema/schema/virtual_k8s/public_crudapi.pb.go (header comment)";

/** A kind of F5's list: its API group, RBAC resource name, and whether it lives in a namespace. */
export interface Vk8sKind {
  readonly kind: string;
  readonly group: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

const k = (kind: string, group: string, resource: string, namespaced = true): Vk8sKind => ({
  kind,
  group,
  resource,
  namespaced,
});

/** Read and write (Service: type ClusterIP only). */
export const VK8S_READ_WRITE: readonly Vk8sKind[] = [
  k("Deployment", "apps", "deployments"),
  k("StatefulSet", "apps", "statefulsets"),
  k("DaemonSet", "apps", "daemonsets"),
  k("Job", "batch", "jobs"),
  k("CronJob", "batch", "cronjobs"),
  k("Service", "", "services"),
  k("Secret", "", "secrets"),
  k("ConfigMap", "", "configmaps"),
  k("ServiceAccount", "", "serviceaccounts"),
  k("PersistentVolumeClaim", "", "persistentvolumeclaims"),
];

/** Read only (Pod: read and delete). */
export const VK8S_READ_ONLY: readonly Vk8sKind[] = [
  k("Pod", "", "pods"),
  k("ReplicaSet", "apps", "replicasets"),
  k("Endpoints", "", "endpoints"),
  k("Node", "", "nodes", false),
  k("Namespace", "", "namespaces", false),
  k("PersistentVolume", "", "persistentvolumes", false),
  k("Event", "", "events"),
];

export const EVERY_VERB = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
const READ = ["get", "list", "watch"];

/** The label that puts a namespace under the profile's admission policy. */
export const VK8S_NAMESPACE_LABEL = "tailnet-egress.local/profile";
const POLICY = "tailnet-egress-vk8s-clusterip-services";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** RBAC rules, one per group and verb set (RBAC matches any group with any resource of a rule). */
function rules(kinds: readonly Vk8sKind[], verbs: string[]): Rule[] {
  const groups = [...new Set(kinds.map((x) => x.group))];
  return groups.map((g) => ({
    apiGroups: [g],
    resources: kinds.filter((x) => x.group === g).map((x) => x.resource),
    verbs,
  }));
}

/** What the user may do in its namespace. */
export function namespacedRules(): Rule[] {
  const readOnly = VK8S_READ_ONLY.filter((x) => x.namespaced && x.kind !== "Pod");
  return [
    ...rules(VK8S_READ_WRITE, EVERY_VERB),
    { apiGroups: [""], resources: ["pods"], verbs: [...READ, "delete"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    ...rules(readOnly, READ),
  ];
}

/** What the user may read across the cluster. */
export function clusterRules(): Rule[] {
  return rules(
    VK8S_READ_ONLY.filter((x) => !x.namespaced),
    READ,
  );
}

/** The cluster-wide objects of the profile: two ClusterRoles, the admission policy and its binding. */
export function profileObjects(): object[] {
  const meta = (name: string) => ({ name, labels: { "app.kubernetes.io/part-of": "tailnet-egress-vk8s-profile" } });
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta("tailnet-egress:vk8s-namespace"),
      rules: namespacedRules(),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta("tailnet-egress:vk8s-cluster-read"),
      rules: clusterRules(),
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: meta(POLICY),
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [
            { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"] },
          ],
        },
        validations: [
          {
            expression: "has(object.spec.type) && object.spec.type == 'ClusterIP'",
            messageExpression:
              "'F5 XC vK8s accepts only Services of type ClusterIP, not ' + (has(object.spec.type) ? object.spec.type : 'none') + ' (service.type)'",
            reason: "Invalid",
          },
        ],
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: meta(POLICY),
      spec: {
        policyName: POLICY,
        validationActions: ["Deny"],
        matchResources: { namespaceSelector: { matchLabels: { [VK8S_NAMESPACE_LABEL]: "vk8s" } } },
      },
    },
  ];
}

/** A user of the profile: its name and a kubeconfig that authenticates as it (and nothing else). */
export interface Vk8sUser {
  readonly name: string;
  readonly namespace: string;
  readonly kubeconfig: string;
}

/**
 * Puts an existing namespace under the profile and returns a user whose rights there are F5's list: the
 * profile's cluster objects (idempotent), the namespace label, a RoleBinding in the namespace, a
 * ClusterRoleBinding for the cluster-scoped reads, and a client certificate. Returns once the admission
 * policy refuses a NodePort Service in the namespace (a server-side dry run), so it is known to be in force.
 */
export async function vk8sUser(cp: ControlPlane, namespace: string, name = `vk8s-${namespace}`): Promise<Vk8sUser> {
  const user = name.slice(0, 63);
  const bindings = [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "tailnet-egress:vk8s-user", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "tailnet-egress:vk8s-namespace" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `tailnet-egress:vk8s-read:${user}` },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "tailnet-egress:vk8s-cluster-read",
      },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
  ];
  await cp.kubectl(["apply", "--server-side", "--field-manager=tailnet-egress-vk8s-profile", "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: [...profileObjects(), ...bindings] }),
  });
  await cp.kubectl(["label", "namespace", namespace, `${VK8S_NAMESPACE_LABEL}=vk8s`, "--overwrite"]);
  const cert = await userCertificate(cp.pki, user);
  const kubeconfig = path.join(cp.dir, `${user}.kubeconfig`);
  fs.writeFileSync(kubeconfig, kubeconfigText(cp.server, cp.pki, user, cert), { mode: 0o600 });

  const probe = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "vk8s-profile-probe", namespace },
    spec: { type: "NodePort", ports: [{ port: 1 }] },
  };
  await waitFor(`the vK8s admission policy in force in ${namespace}`, 30_000, async () => {
    const r = await cp.kubectl(["create", "--dry-run=server", "-f", "-"], { input: JSON.stringify(probe) }).then(
      () => "created",
      (e: Error) => e.message,
    );
    return r.includes("accepts only Services of type ClusterIP") ? true : undefined;
  });
  return { name: user, namespace, kubeconfig };
}
