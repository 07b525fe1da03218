// The size edge, found against the real API server and tested from both sides: the server refuses a
// ConfigMap whose data values add up to more than 1048576 bytes (keys do not count); the chart renders an
// LDS ConfigMap (the largest of Envoy's three) of exactly that size, which installs, and refuses one byte
// more before any request, with the same message as the CLI. Whatever `helm template` accepts, the API
// server accepts.
import { beforeAll, describe, expect, it } from "vitest";
import { scaleValues } from "../../bench/values.ts";
import { HELM_MAJORS, helmTemplate } from "../../tools/src/helm/helm.ts";
import { MAX_OBJECT_DATA_BYTES } from "../../tools/src/model/constants.ts";
import { envoyConfigMapBytes } from "../../tools/src/plan/configmap.ts";
import { loadValues } from "../../tools/src/values/load.ts";
import { validateValues } from "../../tools/src/values/validate.ts";
import type { Values } from "../../tools/src/generated/values.ts";
import { CHART, kubeHelm, kubeHelmOk, listObjects, testNamespace, useControlPlane, valuesFile } from "../lib/kube.ts";

const cp = useControlPlane("sizes");
const RELEASE = "egress";
/** The largest grid of the scale benchmark's shape that installs (bench/scale.ts uses it too). */
const LARGEST = { tailnets: 10, services: 100 };
/** The Envoy ConfigMap that fills first: LDS, one listener with its access log per service. */
const EDGE = "envoy-lds";

type Doc = { tailnets: { services: { host: string; port: number }[] }[] };

async function bytesOf(doc: Doc): Promise<number> {
  const merged = await loadValues([valuesFile(doc, "size")]);
  const bytes = envoyConfigMapBytes(merged as unknown as Values, RELEASE);
  // The other ConfigMaps stay well below the limit at the edge, so only LDS's is tuned.
  for (const [suffix, n] of Object.entries(bytes))
    if (suffix !== EDGE && n > MAX_OBJECT_DATA_BYTES * 0.95) throw new Error(`${suffix} holds ${n} bytes`);
  return bytes[EDGE]!;
}

/**
 * Values whose LDS ConfigMap holds exactly `target` bytes: a 10 x 99 grid, as many more plain services in the
 * last tailnet as fit, then three services whose host lengths are tuned (every host character appears twice in
 * LDS: the tunnel's hostname and the access log's target). The health port's digits appear once, so a
 * 4-digit health port (9999 instead of 10501) flips the parity. Throws if the search does not land exactly.
 */
async function exactly(target: number): Promise<Doc> {
  const make = (extra: number, hosts: number[], healthPort: number | undefined): Doc => {
    const doc = scaleValues({ tailnets: LARGEST.tailnets, services: LARGEST.services - 1 }) as Doc & {
      envoy?: object;
    };
    if (healthPort) doc.envoy = { healthPort };
    const last = doc.tailnets[doc.tailnets.length - 1]!;
    for (let i = 0; i < extra; i++) last.services.push({ host: `more${i}.edge.ts.net`, port: 3000 + i });
    hosts.forEach((n, i) => {
      const labels = `t${i}${"e".repeat(n)}`.match(/.{1,60}/g) ?? [];
      last.services.push({ host: `${labels.join(".")}.edge.ts.net`, port: 2000 + i });
    });
    return doc;
  };
  let extra = 0;
  while ((await bytesOf(make(extra + 1, [0, 0, 0], undefined))) <= target) extra++;
  let hosts = [0, 0, 0];
  let healthPort: number | undefined;
  for (let step = 0; step < 30; step++) {
    const diff = target - (await bytesOf(make(extra, hosts, healthPort)));
    if (diff === 0) return make(extra, hosts, healthPort);
    if (diff % 2 !== 0) {
      healthPort = healthPort ? undefined : 9999;
      continue;
    }
    // Grow (or shrink) the shortest (longest) tuned host by half the difference, within a host's 253 characters.
    const i = diff > 0 ? hosts.indexOf(Math.min(...hosts)) : hosts.indexOf(Math.max(...hosts));
    hosts = hosts.map((n, j) => (j === i ? Math.max(0, Math.min(200, n + diff / 2)) : n));
  }
  throw new Error(`no values found with an Envoy LDS ConfigMap of exactly ${target} bytes`);
}

describe("the API server's limit", () => {
  it("counts the data values, not the keys: 1048576 bytes are accepted, 1048577 refused", async () => {
    const ns = await testNamespace(cp(), "raw");
    const cm = (name: string, bytes: number) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name },
      data: { ["k".repeat(200)]: "a".repeat(bytes - 1000), other: "b".repeat(1000) },
    });
    await cp().kubectl(["create", "-n", ns, "-f", "-"], {
      input: JSON.stringify(cm("at-limit", MAX_OBJECT_DATA_BYTES)),
    });
    const over = await cp()
      .kubectl(["create", "-n", ns, "-f", "-"], { input: JSON.stringify(cm("over-limit", MAX_OBJECT_DATA_BYTES + 1)) })
      .then(
        () => "created",
        (e: Error) => e.message,
      );
    expect(over).toContain("Too long: may not be more than 1048576 bytes");
  });
});

describe("the chart at the edge", () => {
  let atLimit: string;
  let overLimit: string;
  beforeAll(async () => {
    atLimit = valuesFile(await exactly(MAX_OBJECT_DATA_BYTES), "at-limit");
    overLimit = valuesFile(await exactly(MAX_OBJECT_DATA_BYTES + 1), "over-limit");
  }, 120_000);

  it("the CLI accepts exactly 1048576 bytes and refuses 1048577", async () => {
    expect(validateValues(await loadValues([atLimit]), RELEASE).ok).toBe(true);
    const over = validateValues(await loadValues([overLimit]), RELEASE);
    expect(over.ok).toBe(false);
    if (!over.ok)
      expect(over.errors[0]!.message).toContain(
        `the Envoy ConfigMap ${RELEASE}-tailscale-egress-${EDGE} would hold 1048577 bytes of data, over the 1048576 bytes`,
      );
  });

  it.each(HELM_MAJORS.map((m) => [m]))(
    "helm %i installs exactly 1048576 bytes and the largest grid",
    async (major) => {
      for (const file of [atLimit, valuesFile(scaleValues(LARGEST), "largest")]) {
        const ns = await testNamespace(cp(), `edge${major}`);
        await kubeHelmOk(cp(), major, ["install", RELEASE, CHART, "-n", ns, "-f", file]);
        const cm = await cp().getJson<{ data: Record<string, string> }>([
          "get",
          `configmap/${RELEASE}-tailscale-egress-${EDGE}`,
          "-n",
          ns,
        ]);
        const bytes = Object.values(cm.data).reduce((n, v) => n + Buffer.byteLength(v), 0);
        if (file === atLimit) expect(bytes).toBe(MAX_OBJECT_DATA_BYTES);
        else
          console.log(
            `largest grid ${LARGEST.tailnets}x${LARGEST.services}: ${bytes} bytes installed with helm ${major}`,
          );
      }
    },
    180_000,
  );

  it.each(HELM_MAJORS.map((m) => [m]))(
    "helm %i refuses one byte more before any request, naming the size and the way out",
    async (major) => {
      const template = await helmTemplate({ major, valuesFiles: [overLimit], release: RELEASE });
      expect(template.exitCode).not.toBe(0);
      expect(template.stdout).toBe("");
      const ns = await testNamespace(cp(), `over${major}`);
      const r = await kubeHelm(cp(), major, ["install", RELEASE, CHART, "-n", ns, "-f", overLimit]);
      expect(r.exitCode).not.toBe(0);
      for (const msg of [template.stderr, r.stderr]) {
        expect(msg).toContain(
          `tailnets: the Envoy ConfigMap ${RELEASE}-tailscale-egress-${EDGE} would hold 1048577 bytes of data, over the 1048576 bytes`,
        );
        expect(msg).toContain(
          "Put fewer services in this release, or split the tailnets across releases; envoy.accessLog: false would save",
        );
        expect(msg).not.toContain("Too long");
      }
      // Nothing reached the server: no object and no release record.
      const objs = await listObjects(cp(), ns, "configmaps,secrets,statefulsets,services");
      expect(objs.map((o) => o.metadata.name).filter((n) => n !== "kube-root-ca.crt")).toEqual([]);
    },
    120_000,
  );
});
