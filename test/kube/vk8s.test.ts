// The chart on the real control plane with the F5 XC vK8s profile (tools/src/local/kube/vk8s-profile.ts, from
// F5's published list of the resources vK8s accepts), as a user whose client certificate grants exactly those
// rights, with Helm 3 and Helm 4: the defaults (plus one tailnet) and every bundled example install, upgrade,
// roll back, uninstall and install again (test/lib/lifecycle.ts, as in test/kube/lifecycle.test.ts for the
// admin); `helm test` creates its Job there (no node: its pod stays Pending, so Helm times out waiting), while a
// bare Pod hook is refused; and what vK8s lacks (the old default PodDisruptionBudget, a NodePort Service, the
// Role of kubeSecret state, a NetworkPolicy) is refused, naming the kind, which proves the profile bites.
import { readdirSync } from "node:fs";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { HELM_MAJORS, type HelmMajor } from "../../tools/src/helm/helm.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { toolPath } from "../../tools/src/lib/toolpaths.ts";
import { waitFor } from "../../tools/src/local/lab/procs.ts";
import { vk8sUser } from "../../tools/src/local/kube/vk8s-profile.ts";
import { fullname } from "../../tools/src/plan/names.ts";
import { valuesOf } from "../lib/cases.ts";
import {
  CHART,
  getObject,
  kubeHelm,
  kubeHelmOk,
  listObjects,
  testNamespace,
  useControlPlane,
  valuesFile,
} from "../lib/kube.ts";
import { lifecycle, RELEASE } from "../lib/lifecycle.ts";

const cp = useControlPlane("vk8s");
/** The defaults with the README's smallest tailnet (one tailnet, one service), and every bundled example. */
const CASES: [string, string][] = [
  ["defaults", repoPath("test/helm/01-one-tailnet.in.yaml")],
  ...readdirSync(repoPath("examples"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f): [string, string] => [`examples/${f}`, repoPath("examples", f)]),
];
const MINIMAL = {
  tailnets: [{ name: "corp", authKey: "tskey-auth-vk8s", services: [{ host: "web.corp.ts.net", port: 443 }] }],
};

describe("the vK8s profile", () => {
  it("grants the user what F5's list allows and nothing more (kubectl auth can-i, as the user)", async () => {
    const c = cp();
    const ns = await testNamespace(c, "vk8s-rights");
    const user = await vk8sUser(c, ns);
    /** kubectl auth can-i as the user: "verb resource[/subresource]: yes|no". Cluster-scoped resources are
     * asked without a namespace; a subresource goes in --subresource (kubectl reads "pods/log" as a name). */
    const can = async (verb: string, ref: string): Promise<string> => {
      const [resource, subresource] = ref.split("/") as [string, string | undefined];
      const clusterScoped = /^(nodes|namespaces|persistentvolumes)$/.test(resource);
      const args = [
        "auth",
        "can-i",
        verb,
        resource,
        ...(subresource ? [`--subresource=${subresource}`] : []),
        ...(clusterScoped ? [] : ["-n", ns]),
      ];
      // kubectl exits 1 for "no"; anything on stderr is an error of the question, not an answer.
      const r = await execa(toolPath("kubectl"), ["--kubeconfig", user.kubeconfig, ...args], { reject: false });
      const stderr = r.stderr.replace(/^Warning: resource '\w+' is not namespace scoped\n?/m, "");
      return `${verb} ${ref}: ${stderr ? `error: ${stderr}` : r.stdout.trim()}`;
    };
    const yes = [
      ["create", "statefulsets.apps"],
      ["patch", "deployments.apps"],
      ["delete", "daemonsets.apps"],
      ["create", "jobs.batch"],
      ["deletecollection", "cronjobs.batch"],
      ["create", "services"],
      ["update", "secrets"],
      ["list", "secrets"],
      ["create", "configmaps"],
      ["create", "serviceaccounts"],
      ["create", "persistentvolumeclaims"],
      ["get", "pods"],
      ["watch", "pods"],
      ["delete", "pods"],
      ["get", "pods/log"],
      ["list", "replicasets.apps"],
      ["get", "endpoints"],
      ["list", "events"],
      ["get", "nodes"],
      ["list", "namespaces"],
      ["get", "persistentvolumes"],
    ];
    const no = [
      ["create", "pods"],
      ["update", "pods"],
      ["create", "pods/exec"],
      ["create", "pods/portforward"],
      ["create", "pods/eviction"],
      ["create", "serviceaccounts/token"],
      ["update", "statefulsets.apps/scale"],
      ["create", "replicasets.apps"],
      ["create", "events"],
      ["delete", "nodes"],
      ["create", "namespaces"],
      ["create", "persistentvolumes"],
      ["create", "roles.rbac.authorization.k8s.io"],
      ["create", "rolebindings.rbac.authorization.k8s.io"],
      ["create", "poddisruptionbudgets.policy"],
      ["create", "networkpolicies.networking.k8s.io"],
      ["create", "ingresses.networking.k8s.io"],
    ];
    const answers: string[] = [];
    for (const [verb, ref] of [...yes, ...no]) answers.push(await can(verb!, ref!));
    expect(answers).toEqual([...yes.map(([v, r]) => `${v} ${r}: yes`), ...no.map(([v, r]) => `${v} ${r}: no`)]);
  });
});

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i as the vK8s user", (major: HelmMajor) => {
  it.concurrent.each(CASES)(
    "%s: install, upgrade, rollback, uninstall, reinstall; helm test creates its Job, and a Pod hook is refused",
    async (name, file) => {
      const c = cp();
      const ns = await testNamespace(c, `v${major}-${name.replace(/\W+/g, "-").slice(-12)}`);
      const user = await vk8sUser(c, ns);
      await lifecycle(c, major, ns, file, user.kubeconfig);

      // helm test: the Job hook is accepted and the Job controller creates its pod. No node runs it here, so
      // Helm waits for the Job until its --timeout.
      const job = `${fullname(await valuesOf(file), RELEASE)}-test-connection`;
      const t = await kubeHelm(c, major, ["test", RELEASE, "-n", ns, "--timeout", "10s"], user.kubeconfig);
      expect(t.exitCode, t.stdout + t.stderr).not.toBe(0);
      expect(t.stderr).not.toMatch(/forbidden/i);
      const created = await getObject<{ metadata: { annotations?: Record<string, string> }; spec: object }>(
        c,
        ns,
        `job/${job}`,
      );
      expect(created.metadata.annotations?.["helm.sh/hook"]).toBe("test");
      expect(created.spec).toMatchObject({ backoffLimit: 0 });
      await waitFor(`the Job's pod`, 30_000, async () => {
        const pods = await listObjects(c, ns, "pods", `job-name=${job}`);
        return pods.length === 1 ? true : undefined;
      });

      // The same test as a bare Pod is refused for the user: vK8s offers no Pod creation.
      await kubeHelmOk(
        c,
        major,
        ["upgrade", RELEASE, CHART, "-n", ns, "-f", file, "-f", valuesFile({ tests: { kind: "Pod" } }, "pod-hook")],
        user.kubeconfig,
      );
      const bare = await kubeHelm(c, major, ["test", RELEASE, "-n", ns, "--timeout", "10s"], user.kubeconfig);
      expect(bare.exitCode).not.toBe(0);
      // Helm 3 creates the hook, Helm 4 applies it server-side (a patch).
      expect(bare.stderr).toMatch(new RegExp(`User "${user.name}" cannot (create|patch) resource "pods"`));
    },
    300_000,
  );

  it.concurrent.each<[string, object, RegExp]>([
    [
      "the old default PodDisruptionBudget",
      { podDisruptionBudget: { enabled: true } },
      /poddisruptionbudgets\.policy .*is forbidden: User "[^"]+" cannot (get|create|patch) resource "poddisruptionbudgets"/,
    ],
    [
      "a NodePort Service",
      { service: { type: "NodePort" } },
      /F5 XC vK8s accepts only Services of type ClusterIP, not NodePort \(service\.type\)/,
    ],
    [
      "kubeSecret state with the chart's Role and RoleBinding",
      { tailscale: { state: "kubeSecret" } },
      /roles\.rbac\.authorization\.k8s\.io .*is forbidden: User "[^"]+" cannot (get|create|patch) resource "roles"/,
    ],
    [
      "a NetworkPolicy",
      { networkPolicy: { enabled: true } },
      /networkpolicies\.networking\.k8s\.io .*is forbidden: User "[^"]+" cannot (get|create|patch) resource "networkpolicies"/,
    ],
  ])(
    "%s is refused, naming it",
    async (_what, extra, error) => {
      const c = cp();
      const ns = await testNamespace(c, `vn${major}`);
      const user = await vk8sUser(c, ns);
      const r = await kubeHelm(
        c,
        major,
        ["install", RELEASE, CHART, "-n", ns, "-f", valuesFile({ ...MINIMAL, ...extra }, "refused")],
        user.kubeconfig,
      );
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(error);
    },
    120_000,
  );
});
