// Production rules that must hold for every golden case and example: Pod Security "restricted", auth keys
// only inside Secrets, RBAC by name, the API token only where it is used, loopback-only binds.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { toolPath } from "../tools/src/lib/toolpaths.ts";
import { findOne, parseManifests, type Manifest } from "../tools/src/helm/manifests.ts";
import { render } from "../tools/src/helm/helm.ts";
import { stateSecretName } from "../tools/src/plan/names.ts";
import { envoyFiles } from "../tools/src/helm/manifests.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { manifestsOf, renderCached, valuesOf } from "./lib/cases.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

const cases = goldenCases().map((c) => [c.name, c] as const);

type Container = { name: string; volumeMounts?: { name: string; mountPath: string }[]; [k: string]: unknown };
type PodSpec = {
  containers: Container[];
  automountServiceAccountToken?: boolean;
  serviceAccountName: string;
  volumes: { name: string }[];
};
const podSpec = (ms: Manifest[]): PodSpec =>
  (findOne(ms, "StatefulSet").spec as { template: { spec: PodSpec } }).template.spec;

async function psa(manifests: string, version: string) {
  const r = await execa(toolPath("psa-check"), ["-level", "restricted", "-version", version], {
    input: manifests,
    reject: false,
  });
  return {
    exitCode: r.exitCode,
    results: r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { allowed: boolean; reasons?: string[] }),
  };
}

describe("Pod Security Standards: restricted (the admission library's own checks)", () => {
  it.each(cases)("%s passes at v1.23 and latest", async (_n, c) => {
    const text = await renderCached(c.file);
    for (const version of ["v1.23", "latest"]) {
      const r = await psa(text, version);
      expect(r.results.length).toBeGreaterThan(0);
      expect(r.results.flatMap((x) => x.reasons ?? [])).toEqual([]);
      expect(r.exitCode).toBe(0);
    }
  });
  it("the checker does fail a pod that drops the restricted settings", async () => {
    const text = await render({
      major: 3,
      valuesFiles: [
        goldenCases()[0]!.file,
        tmpValues({ podSecurityContext: null, securityContext: { allowPrivilegeEscalation: true } }),
      ],
    });
    const r = await psa(text, "latest");
    expect(r.exitCode).toBe(1);
    expect(r.results[0]?.reasons?.join("\n")).toMatch(/allowPrivilegeEscalation|seccompProfile|runAsNonRoot/);
  });
});

describe("auth keys and OAuth client credentials appear only inside Secret data", () => {
  it.each(cases)("%s", async (_n, c) => {
    const values = await valuesOf(c.file);
    const keys = values.tailnets.flatMap((t) =>
      [t.authKey, t.oauth?.clientId, t.oauth?.clientSecret].filter((k): k is string => k !== undefined),
    );
    const manifests = await manifestsOf(c.file);
    for (const key of keys) {
      const b64 = Buffer.from(key).toString("base64");
      for (const m of manifests) {
        const text = JSON.stringify(m);
        expect(text.includes(key), `${m.kind}/${m.metadata.name} holds an auth key in clear`).toBe(false);
        if (m.kind !== "Secret")
          expect(text.includes(b64), `${m.kind}/${m.metadata.name} holds an auth key`).toBe(false);
      }
      const secrets = manifests.filter(
        (m) => m.kind === "Secret" && Object.values((m.data ?? {}) as Record<string, string>).includes(b64),
      );
      expect(secrets.length).toBe(1);
    }
    // Every Tailscale container takes its key, or its OAuth client, from a secretKeyRef, never a literal.
    for (const ctr of podSpec(manifests).containers.filter((x) => x.name.startsWith("ts-"))) {
      const env = ctr.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }[];
      const oauth = values.tailnets.find((t) => `ts-${t.name}` === ctr.name)?.oauth !== undefined;
      for (const name of oauth ? ["TS_CLIENT_ID", "TS_CLIENT_SECRET"] : ["TS_AUTHKEY"]) {
        const auth = env.find((e) => e.name === name);
        expect(auth?.value, `${ctr.name} ${name}`).toBeUndefined();
        expect(auth?.valueFrom?.secretKeyRef, `${ctr.name} ${name}`).toBeDefined();
      }
      expect(env.filter((e) => ["TS_AUTHKEY", "TS_CLIENT_ID", "TS_CLIENT_SECRET"].includes(e.name))).toHaveLength(
        oauth ? 2 : 1,
      );
    }
  });
});

describe("RBAC and the API token", () => {
  it.each(cases)("%s", async (_n, c) => {
    const values = await valuesOf(c.file);
    const manifests = await manifestsOf(c.file);
    const spec = podSpec(manifests);
    expect(spec.automountServiceAccountToken).toBe(false);
    const accounts = manifests.filter((m) => m.kind === "ServiceAccount");
    expect(accounts.map((sa) => [sa.metadata.name, sa.automountServiceAccountToken])).toEqual(
      values.serviceAccount.create ? [[spec.serviceAccountName, false]] : [],
    );
    const tokenMounts = (ctr: Container) =>
      (ctr.volumeMounts ?? []).filter((m) => m.mountPath.startsWith("/var/run/secrets/kubernetes.io"));
    const envoy = spec.containers.find((x) => x.name === "envoy")!;
    expect(tokenMounts(envoy)).toEqual([]);
    const kubeState = values.tailscale.state === "kubeSecret";
    for (const ctr of spec.containers.filter((x) => x.name.startsWith("ts-")))
      expect(tokenMounts(ctr).length).toBe(kubeState ? 1 : 0);
    const roles = manifests.filter((m) => m.kind === "Role");
    if (!kubeState || !values.rbac.create) {
      expect(manifests.filter((m) => m.kind === "RoleBinding")).toEqual([]);
      expect(roles).toEqual([]);
      return;
    }
    const full = findOne(manifests, "StatefulSet").metadata.name;
    const names = Array.from({ length: values.replicas }, (_, o) =>
      values.tailnets.map((t) => stateSecretName(full, o, t.name)),
    ).flat();
    expect(roles[0]!.rules).toEqual([
      { apiGroups: [""], resources: ["secrets"], resourceNames: names, verbs: ["get", "update", "patch"] },
    ]);
    const binding = findOne(manifests, "RoleBinding");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: spec.serviceAccountName, namespace: "egress" }]);
  });
});

describe("loopback-only endpoints stay on loopback", () => {
  it.each(cases)("%s", async (_n, c) => {
    const manifests = await manifestsOf(c.file);
    const files = envoyFiles(manifests) as {
      [k: string]: {
        admin?: { address: { socket_address: { address: string } } };
        resources?: { name: string; address?: { socket_address: { address: string } }; load_assignment?: unknown }[];
      };
    };
    expect(files["envoy.json"]!.admin!.address.socket_address.address).toBe("127.0.0.1");
    for (const cluster of files["cds.json"]!.resources!)
      expect(JSON.stringify(cluster.load_assignment)).toContain('"address":"127.0.0.1"');
    for (const ctr of podSpec(manifests).containers.filter((x) => x.name.startsWith("ts-"))) {
      const env = Object.fromEntries((ctr.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
      expect(env.TS_OUTBOUND_HTTP_PROXY_LISTEN).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(env.TS_LOCAL_ADDR_PORT).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(env.TS_EXTRA_ARGS).toContain("--shields-up");
      expect(env.TS_USERSPACE).toBe("true");
    }
  });
});

describe("optional objects", () => {
  const base = goldenCases()[1]!.file;
  const kinds = (ms: Manifest[]) => ms.map((m) => m.kind).sort();
  const OPTIONAL_OFF = {
    serviceAccount: { create: false },
    rbac: { create: false },
    podDisruptionBudget: { enabled: false },
    networkPolicy: { enabled: false },
    metrics: { serviceMonitor: { enabled: false } },
    tests: { enabled: false },
  };

  it("every optional kind can be switched off: only the StatefulSet, Service, ConfigMap and Secret remain", async () => {
    const minimal = await manifestsOf(repoPath("test/helm/09-minimal.in.yaml"));
    expect(kinds(minimal)).toEqual(["ConfigMap", "ConfigMap", "ConfigMap", "Secret", "Service", "StatefulSet"]);
    expect(kinds(await manifestsOf(base))).toEqual(
      expect.arrayContaining(["Job", "Role", "RoleBinding", "ServiceAccount"]),
    );
    const spec = podSpec(minimal);
    expect(spec.serviceAccountName).toBe("default");
    expect(JSON.stringify(spec)).not.toContain("kube-api-access");
  });

  it("with kubeSecret state and no chart RBAC, the pod runs as the ServiceAccount you name, with its token", async () => {
    const own = parseManifests(
      await render({
        major: 4,
        valuesFiles: [base, tmpValues({ ...OPTIONAL_OFF, serviceAccount: { create: false, name: "egress-state" } })],
      }),
    );
    expect([...new Set(kinds(own))]).toEqual(["ConfigMap", "Secret", "Service", "StatefulSet"]); // with the state Secrets
    const spec = podSpec(own);
    expect(spec.serviceAccountName).toBe("egress-state");
    for (const ctr of spec.containers.filter((x) => x.name.startsWith("ts-")))
      expect(ctr.volumeMounts?.map((m) => m.name)).toContain("kube-api-access");
    const bound = parseManifests(
      await render({
        major: 3,
        valuesFiles: [base, tmpValues({ serviceAccount: { create: false, name: "egress-state" } })],
      }),
    );
    expect(findOne(bound, "RoleBinding").subjects).toEqual([
      { kind: "ServiceAccount", name: "egress-state", namespace: "egress" },
    ]);
    expect(bound.filter((m) => m.kind === "ServiceAccount")).toEqual([]);
  });

  it("NetworkPolicy: off by default; when on, ingress only to the health and service ports from the given peers", async () => {
    expect(parseManifests(await renderCached(base)).filter((m) => m.kind === "NetworkPolicy")).toEqual([]);
    const from = [{ ipBlock: { cidr: "192.0.2.0/24" } }];
    const ms = parseManifests(
      await render({ major: 3, valuesFiles: [base, tmpValues({ networkPolicy: { enabled: true, from } })] }),
    );
    const np = findOne(ms, "NetworkPolicy").spec as {
      policyTypes: string[];
      ingress: { from: unknown; ports: { port: number }[] }[];
    };
    expect(np.policyTypes).toEqual(["Ingress"]);
    expect(np.ingress[0]!.from).toEqual(from);
    expect(np.ingress[0]!.ports.map((p) => p.port)).toEqual([10501, 10000, 10001, 10002, 11000, 12000, 12001]);
  });
  it("ServiceMonitor: only when enabled and the cluster has the API", async () => {
    const on = tmpValues({ metrics: { serviceMonitor: { enabled: true } } });
    const without = parseManifests(await render({ major: 3, valuesFiles: [base, on] }));
    expect(without.filter((m) => m.kind === "ServiceMonitor")).toEqual([]);
    const withApi = parseManifests(
      await render({
        major: 4,
        valuesFiles: [base, on],
        extraArgs: ["--api-versions", "monitoring.coreos.com/v1/ServiceMonitor"],
      }),
    );
    const sm = findOne(withApi, "ServiceMonitor").spec as { endpoints: { port: string; path: string }[] };
    expect(sm.endpoints.map((e) => e.path)).toEqual([
      "/stats/prometheus",
      "/metrics/corp",
      "/metrics/lab",
      "/metrics/edge",
    ]);
  });
  it("PodDisruptionBudget: off by default (F5 XC vK8s lacks the kind), rendered when enabled", async () => {
    const ms = await manifestsOf(base);
    expect(ms.filter((m) => m.kind === "PodDisruptionBudget")).toEqual([]);
    const on = parseManifests(
      await render({
        major: 3,
        valuesFiles: [base, tmpValues({ replicas: 2, podDisruptionBudget: { enabled: true } })],
      }),
    );
    expect(findOne(on, "PodDisruptionBudget").spec).toMatchObject({ maxUnavailable: 1 });
  });

  it("topology spread is on by default and can be turned off", async () => {
    expect(JSON.stringify(podSpec(await manifestsOf(base)))).toContain("topologySpreadConstraints");
    const off = parseManifests(
      await render({ major: 3, valuesFiles: [base, tmpValues({ topologySpread: { enabled: false } })] }),
    );
    expect(JSON.stringify(podSpec(off))).not.toContain("topologySpreadConstraints");
  });
});
