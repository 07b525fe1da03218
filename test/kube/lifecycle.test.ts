// What users do, against a real kube-apiserver, for every golden case and bundled example (among them the F5 XC
// vK8s one) on Helm 3 and Helm 4, as the cluster's admin: test/lib/lifecycle.ts (install into a namespace that
// enforces the restricted Pod Security level, upgrade with a service edit (the pod stays), upgrade adding a
// tailnet (a new revision), roll back, uninstall (node state stays) and install again). Node state that
// containerboot wrote into its Secrets survives every step. test/kube/vk8s.test.ts runs the same steps as a user
// limited to what F5 XC vK8s offers.
import { describe, expect, it } from "vitest";
import { HELM_MAJORS, type HelmMajor } from "../../tools/src/helm/helm.ts";
import { stateSecretNames } from "../../tools/src/plan/names.ts";
import { goldenCases } from "../../tools/src/golden/cases.ts";
import { valuesOf } from "../lib/cases.ts";
import { CHART, getObject, kubeHelm, kubeHelmOk, testNamespace, useControlPlane, valuesFile } from "../lib/kube.ts";
import { lifecycle, podUids, RELEASE, STATE, stateData } from "../lib/lifecycle.ts";

const cp = useControlPlane("lifecycle");

// The cases whose node state lives in Secrets (tailscale.state: kubeSecret): only there is there state to survive,
// and lifecycle() checks it only there. The others (emptyDir, the default) still go through every step.
const CASES = await Promise.all(
  goldenCases().map(async (c) => ({ ...c, kubeState: (await valuesOf(c.file)).tailscale.state === "kubeSecret" })),
);

it("some cases keep node state in Secrets, so the state checks run", () => {
  expect(CASES.filter((c) => c.kubeState).length).toBeGreaterThan(0);
});

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i on a real API server", (major: HelmMajor) => {
  it.concurrent.each(
    CASES.map(
      (c) =>
        [
          c.name,
          c.kubeState ? "; node state in Secrets survives every step" : " (emptyDir: no state Secrets)",
          c.file,
        ] as const,
    ),
  )(
    "%s: install, upgrade, rollback, uninstall, reinstall%s",
    async (_n, _kind, file) => {
      const c = cp();
      await lifecycle(c, major, await testNamespace(c, `h${major}-${_n.slice(0, 2)}`), file);
    },
    240_000,
  );
});

describe.each(HELM_MAJORS.map((m) => [m]))(
  "helm %i: upgrading from a chart whose containerboot created its own state Secrets",
  (major: HelmMajor) => {
    it("is refused without --take-ownership and adopts the Secrets, state intact, with it", async () => {
      const c = cp();
      const ns = await testNamespace(c, `own${major}`);
      const doc = {
        tailnets: [{ name: "corp", authKey: "tskey-auth-owner", services: [{ host: "db.corp.ts.net", port: 5432 }] }],
      };
      // The old release's manifest has no state Secrets (emptyDir here stands in for chart 0.1.x, whose
      // containerboot created them at run time, unlabelled).
      await kubeHelmOk(c, major, [
        "install",
        RELEASE,
        CHART,
        "-n",
        ns,
        "-f",
        valuesFile({ ...doc, tailscale: { state: "emptyDir" } }, "old"),
      ]);
      const name = `${RELEASE}-tailscale-egress-0-corp-state`;
      await c.kubectl(["create", "-n", ns, "-f", "-"], {
        input: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name }, data: STATE }),
      });
      const file = valuesFile({ ...doc, tailscale: { state: "kubeSecret" } }, "new");
      const refused = await kubeHelm(c, major, ["upgrade", RELEASE, CHART, "-n", ns, "-f", file]);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/invalid ownership metadata|cannot be imported/);
      await kubeHelmOk(c, major, ["upgrade", RELEASE, CHART, "-n", ns, "-f", file, "--take-ownership"]);
      const secret = await getObject<{ data?: Record<string, string>; metadata: { labels?: Record<string, string> } }>(
        c,
        ns,
        `secret/${name}`,
      );
      expect(secret.data).toEqual(STATE);
      expect(secret.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe("Helm");
    }, 120_000);
  },
);

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i: scaling replicas", (major: HelmMajor) => {
  it("creates the new pods' state Secrets in the same upgrade", async () => {
    const c = cp();
    const ns = await testNamespace(c, `scale${major}`);
    const doc = {
      tailscale: { state: "kubeSecret" },
      tailnets: [{ name: "corp", authKey: "tskey-auth-scale", services: [{ host: "db.corp.ts.net", port: 5432 }] }],
    };
    await kubeHelmOk(c, major, ["install", RELEASE, CHART, "-n", ns, "-f", valuesFile(doc, "one")]);
    const three = valuesFile({ ...doc, replicas: 3 }, "three");
    const names = stateSecretNames(await valuesOf(three), RELEASE);
    expect(names).toHaveLength(3);
    await kubeHelmOk(c, major, ["upgrade", RELEASE, CHART, "-n", ns, "-f", three]);
    expect(Object.keys(await stateData(c, ns, names)).sort()).toEqual([...names].sort());
    expect(await podUids(c, ns, 3)).toHaveLength(3);
  }, 120_000);
});
