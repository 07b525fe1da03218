// Proves that the offline strict validator (test/lib/kubeconform.ts, schemas from tools/src/kube/) really
// validates: a realistic valid set passes on both API levels, unknown fields, wrong types, missing
// required fields and duplicate keys fail, and real differences between Kubernetes 1.23 and the newest
// release are visible in both directions.
import { describe, expect, it } from "vitest";
import { validateManifests, type KubeVersion } from "./lib/kubeconform.ts";
import { convertKinds, kindFileName } from "../tools/src/kube/convert.ts";
import { parseSchema, type SwaggerSchema } from "../tools/src/kube/swagger.ts";

const BOTH: readonly KubeVersion[] = ["1.23", "latest"];

const VALID = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: egress, namespace: ns, labels: {app.kubernetes.io/name: egress}}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ConfigMap
metadata: {name: egress-config, namespace: ns, annotations: null}
data:
  envoy.yaml: |
    static_resources: {}
---
apiVersion: v1
kind: Secret
metadata: {name: egress-auth, namespace: ns}
type: Opaque
stringData: {TS_AUTHKEY: tskey-abc}
data: {other: aGVsbG8=}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: egress, namespace: ns}
rules:
  - apiGroups: [""]
    resources: [secrets]
    resourceNames: [egress-state-0]
    verbs: [get, update, patch]
  - apiGroups: [""]
    resources: [events]
    verbs: [create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: egress, namespace: ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: egress}
subjects:
  - {kind: ServiceAccount, name: egress, namespace: ns}
---
apiVersion: v1
kind: Service
metadata: {name: egress, namespace: ns}
spec:
  type: ClusterIP
  selector: {app.kubernetes.io/name: egress}
  ports:
    - {name: tcp-8080, port: 8080, targetPort: 8080, protocol: TCP}
    - {name: admin, port: 9901, targetPort: admin}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: egress, namespace: ns, creationTimestamp: null}
spec:
  serviceName: egress
  replicas: 1
  podManagementPolicy: Parallel
  selector: {matchLabels: {app.kubernetes.io/name: egress}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: egress}
      annotations: {checksum/config: abc}
    spec:
      serviceAccountName: egress
      automountServiceAccountToken: true
      securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
      terminationGracePeriodSeconds: 30
      containers:
        - name: tailscale
          image: ghcr.io/tailscale/tailscale:v1.102.5
          imagePullPolicy: IfNotPresent
          env:
            - {name: TS_KUBE_SECRET, value: egress-state-0}
            - name: POD_NAME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
            - name: TS_AUTHKEY
              valueFrom: {secretKeyRef: {name: egress-auth, key: TS_AUTHKEY, optional: true}}
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 1, memory: 256Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL], add: [NET_ADMIN]}
          volumeMounts:
            - {name: config, mountPath: /etc/envoy, readOnly: true}
        - name: envoy
          image: envoyproxy/envoy:v1.40.0
          args: [-c, /etc/envoy/envoy.yaml]
          ports:
            - {name: admin, containerPort: 9901, protocol: TCP}
          readinessProbe:
            httpGet: {path: /ready, port: admin}
            periodSeconds: 5
          livenessProbe:
            tcpSocket: {port: 9901}
      volumes:
        - name: config
          configMap: {name: egress-config, defaultMode: 0444}
        - name: tmp
          emptyDir: {sizeLimit: 64Mi}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: egress, namespace: ns}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app.kubernetes.io/name: egress}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: ns}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: egress}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ves-system}}
      ports:
        - {protocol: TCP, port: 8080}
  egress:
    - to:
        - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}
    - ports:
        - {protocol: UDP, port: 53}
        - {protocol: TCP, port: "dns-tcp"}
`;

const STATEFULSET_KINDS = [
  "ServiceAccount",
  "ConfigMap",
  "Secret",
  "Role",
  "RoleBinding",
  "Service",
  "StatefulSet",
  "PodDisruptionBudget",
  "NetworkPolicy",
];

function statefulSet(containerExtra: string, podExtra = ""): string {
  return `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  serviceName: s
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:${podExtra}
      containers:
        - name: c
          image: busybox${containerExtra}
`;
}

describe.each(BOTH)("kubeconform strict, Kubernetes %s", (v) => {
  it("accepts a valid StatefulSet, Service, ConfigMap, Secret, RBAC, PDB and NetworkPolicy", async () => {
    const r = await validateManifests(VALID, v);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(
      r.resources
        .filter((x) => x.status === "valid")
        .map((x) => x.kind)
        .sort(),
    ).toEqual([...STATEFULSET_KINDS].sort());
  });

  it("rejects an unknown field (imagePullPolcy)", async () => {
    const r = await validateManifests(statefulSet("\n          imagePullPolcy: Always"), v);
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      `StatefulSet/s (apps/v1): /spec/template/spec/containers/0: additional properties 'imagePullPolcy' not allowed`,
    ]);
  });

  it("rejects unknown fields at the top level and in metadata", async () => {
    const r = await validateManifests(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, lables: {a: b}}\ndatta: {}\n`,
      v,
    );
    expect(r.ok).toBe(false);
    expect(r.errors.join("\n")).toMatch(/additional properties 'datta' not allowed/);
    expect(r.errors.join("\n")).toMatch(/\/metadata: additional properties 'lables' not allowed/);
  });

  it("rejects a wrong type (containerPort as a string, replicas as a string)", async () => {
    const r = await validateManifests(
      statefulSet('\n          ports: [{containerPort: "8080"}]').replace(
        "serviceName: s",
        'serviceName: s\n  replicas: "2"',
      ),
      v,
    );
    expect(r.ok).toBe(false);
    expect(r.errors).toContain(
      "StatefulSet/s (apps/v1): /spec/template/spec/containers/0/ports/0/containerPort: got string, want integer",
    );
    expect(r.errors.some((e) => e.includes("/spec/replicas") && e.includes("got string"))).toBe(true);
  });

  it("rejects a missing required field (container name)", async () => {
    const r = await validateManifests(
      statefulSet("").replace("- name: c\n          image: busybox", "- image: busybox"),
      v,
    );
    expect(r.ok).toBe(false);
    expect(r.errors.join("\n")).toMatch(/containers\/0: missing property 'name'/);
  });

  it("rejects null for a required field but accepts it for an optional one", async () => {
    const bad = await validateManifests(
      `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: null}]}\n`,
      v,
    );
    expect(bad.ok).toBe(false);
    const good = await validateManifests(
      `apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: null}\nspec: {ports: [{port: 80, name: null}], selector: null}\n`,
      v,
    );
    expect(good.errors).toEqual([]);
  });

  it("rejects duplicate keys", async () => {
    const r = await validateManifests(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1", a: "2"}\n`,
      v,
    );
    expect(r.ok).toBe(false);
  });

  it("treats int-or-string and quantities like the API server", async () => {
    const ok = await validateManifests(
      statefulSet("\n          resources: {limits: {cpu: 2, memory: 1.5Gi}, requests: {cpu: 0.5}}"),
      v,
    );
    expect(ok.errors).toEqual([]);
    const bad = await validateManifests(statefulSet("\n          resources: {limits: {cpu: [1]}}"), v);
    expect(bad.ok).toBe(false);
    const pdb = await validateManifests(
      `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {maxUnavailable: true}\n`,
      v,
    );
    expect(pdb.ok).toBe(false);
  });

  it("rejects a kind that does not exist and a kind under the wrong apiVersion", async () => {
    const r = await validateManifests(
      `apiVersion: v1\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: apps/v1\nkind: NoSuchKind\nmetadata: {name: x}\n`,
      v,
    );
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      "Deployment/d (v1): could not find schema for Deployment",
      "NoSuchKind/x (apps/v1): could not find schema for NoSuchKind",
    ]);
  });
});

describe("real differences between Kubernetes 1.23 and the newest release", () => {
  // admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy went GA in Kubernetes 1.30.
  const vap = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicas-limit}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [statefulsets]}
  validations:
    - {expression: "object.spec.replicas <= 5"}
`;
  it("a kind GA only after 1.23 (ValidatingAdmissionPolicy v1) fails for 1.23 and passes for latest", async () => {
    const old = await validateManifests(vap, "1.23");
    expect(old.ok).toBe(false);
    expect(old.errors).toEqual([
      "ValidatingAdmissionPolicy/replicas-limit (admissionregistration.k8s.io/v1): could not find schema for ValidatingAdmissionPolicy",
    ]);
    const latest = await validateManifests(vap, "latest");
    expect(latest.errors).toEqual([]);
    expect(latest.ok).toBe(true);
  });

  // Native sidecars: initContainers[].restartPolicy exists since Kubernetes 1.28.
  it("a field added after 1.23 (native sidecar restartPolicy) fails for 1.23 and passes for latest", async () => {
    const m = statefulSet(
      "",
      "\n      initContainers:\n        - {name: sidecar, image: busybox, restartPolicy: Always}",
    );
    const old = await validateManifests(m, "1.23");
    expect(old.errors).toEqual([
      "StatefulSet/s (apps/v1): /spec/template/spec/initContainers/0: additional properties 'restartPolicy' not allowed",
    ]);
    expect((await validateManifests(m, "latest")).ok).toBe(true);
  });

  // policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25.
  it("an API removed after 1.23 (policy/v1beta1 PodDisruptionBudget) passes for 1.23 and fails for latest", async () => {
    const m = `apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1, selector: {matchLabels: {a: b}}}\n`;
    expect((await validateManifests(m, "1.23")).ok).toBe(true);
    const latest = await validateManifests(m, "latest");
    expect(latest.errors).toEqual([
      "PodDisruptionBudget/p (policy/v1beta1): could not find schema for PodDisruptionBudget",
    ]);
  });
});

describe("converter (tools/src/kube/)", () => {
  const def = (v: unknown): SwaggerSchema => parseSchema(v, "t");

  it("names files the way kubeconform looks them up", () => {
    expect(kindFileName({ group: "", version: "v1", kind: "ConfigMap" })).toBe("configmap-v1.json");
    expect(kindFileName({ group: "apps", version: "v1", kind: "StatefulSet" })).toBe("statefulset-apps-v1.json");
    expect(kindFileName({ group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding" })).toBe(
      "rolebinding-rbac-v1.json",
    );
  });

  it("inlines refs, closes objects, makes optional fields nullable and keeps recursive types as local definitions", () => {
    const defs = new Map<string, SwaggerSchema>([
      [
        "x.Thing",
        def({
          type: "object",
          required: ["spec"],
          "x-kubernetes-group-version-kind": [{ group: "example.io", version: "v1", kind: "Thing" }],
          properties: {
            apiVersion: { type: "string" },
            kind: { type: "string" },
            spec: { $ref: "#/definitions/x.Spec" },
            tree: { $ref: "#/definitions/x.Node" },
          },
        }),
      ],
      [
        "x.Spec",
        def({
          type: "object",
          properties: {
            port: { $ref: "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString" },
            tags: { type: "object", additionalProperties: { type: "string" } },
          },
        }),
      ],
      [
        "x.Node",
        def({ type: "object", properties: { children: { type: "array", items: { $ref: "#/definitions/x.Node" } } } }),
      ],
      ["io.k8s.apimachinery.pkg.util.intstr.IntOrString", def({ type: "string", format: "int-or-string" })],
    ]);
    const [k] = convertKinds(defs, { strict: true, descriptions: false });
    expect(k?.file).toBe("thing-example-v1.json");
    expect(k?.schema).toEqual({
      type: "object",
      required: ["spec"],
      additionalProperties: false,
      "x-kubernetes-group-version-kind": [{ group: "example.io", version: "v1", kind: "Thing" }],
      properties: {
        apiVersion: { type: "string", enum: ["example.io/v1"] },
        kind: { type: "string", enum: ["Thing"] },
        spec: {
          type: "object",
          additionalProperties: false,
          properties: {
            port: { oneOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] },
            tags: { type: ["object", "null"], additionalProperties: { type: "string" } },
          },
        },
        tree: { oneOf: [{ type: "null" }, { $ref: "#/definitions/x.Node" }] },
      },
      definitions: {
        "x.Node": {
          type: "object",
          additionalProperties: false,
          properties: { children: { type: ["array", "null"], items: { $ref: "#/definitions/x.Node" } } },
        },
      },
    });
  });

  it("fails loudly on schema keywords it does not understand", () => {
    expect(() => def({ type: "object", "x-kubernetes-preserve-unknown-fields": true })).toThrow(
      /unsupported schema keyword "x-kubernetes-preserve-unknown-fields"/,
    );
    expect(() => def({ type: "string", pattern: "^a" })).toThrow(/unsupported schema keyword "pattern"/);
  });
});
