// OCI: the package pushed to a real CNCF distribution registry on loopback, then rendered from it by tag
// and by digest, with Helm 3 and Helm 4 (both support --plain-http and @sha256 references).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOLDEN_RELEASE, HELM_MAJORS } from "../../tools/src/helm/helm.ts";
import { packageChart, type PackageResult } from "../../tools/src/release/package.ts";
import { goldenAs, isolatedHelm, signingKey, startRegistry, templateArgs, type SigningKey } from "../lib/release.ts";
import { cleanupAll } from "../../tools/src/local/lab/cleanup.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";

const VERSION = "1.0.0";
let key: SigningKey;
let signed: PackageResult;
let unsigned: PackageResult;
let registry: { host: string; stop(): Promise<void> };

beforeAll(async () => {
  [key, registry] = await Promise.all([signingKey(), startRegistry()]);
  signed = await packageChart({
    version: VERSION,
    outDir: tempDir("oci-signed"),
    sign: { key: key.name, keyring: key.secring },
  });
  unsigned = await packageChart({ version: VERSION, outDir: tempDir("oci-unsigned") });
});
afterAll(async () => {
  await registry?.stop();
  await cleanupAll();
});

interface Manifest {
  layers: { mediaType: string; digest: string }[];
  annotations: Record<string, string>;
}
async function manifest(repo: string, ref: string): Promise<Manifest> {
  const r = await fetch(`http://${registry.host}/v2/${repo}/manifests/${ref}`, {
    headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  expect(r.status).toBe(200);
  return (await r.json()) as Manifest;
}
const unsignedDigests = new Map<number, string>();
const pushedDigest = (out: string): string =>
  /^Digest: (sha256:[0-9a-f]{64})$/m.exec(out)?.[1] ?? `no digest in: ${out}`;

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i and an OCI registry", (major) => {
  const h = isolatedHelm(major);
  const repo = `charts${major}`;
  const ref = () => `oci://${registry.host}/${repo}/tailscale-egress`;
  let digest: string;

  it("pushes the signed package: the chart layer is the reproducible archive, the provenance rides along", async () => {
    const r = await h(["push", signed.tgz, `oci://${registry.host}/${repo}`, "--plain-http"]);
    digest = pushedDigest(r.stdout + r.stderr);
    const m = await manifest(`${repo}/tailscale-egress`, VERSION);
    const layers = Object.fromEntries(m.layers.map((l) => [l.mediaType, l.digest]));
    expect(layers).toEqual({
      "application/vnd.cncf.helm.chart.content.v1.tar+gzip": `sha256:${signed.sha256}`,
      "application/vnd.cncf.helm.chart.provenance.v1.prov": expect.stringMatching(/^sha256:/),
    });
    expect(m.annotations["org.opencontainers.image.created"]).toBe(
      new Date(signed.epoch * 1000).toISOString().replace(/\.000Z$/, "Z"),
    );
  });

  it("renders from the registry by version", async () => {
    const r = await h(["template", GOLDEN_RELEASE, ref(), "--version", VERSION, "--plain-http", ...templateArgs]);
    expect(r.stdout).toBe(goldenAs(VERSION));
  });

  it("renders from the registry pinned by digest", async () => {
    const r = await h(["template", GOLDEN_RELEASE, `${ref()}@${digest}`, "--plain-http", ...templateArgs]);
    expect(r.stdout).toBe(goldenAs(VERSION));
    expect(r.stderr).toContain(`Digest: ${digest}`);
  });

  it("refuses a digest the registry does not hold", async () => {
    const wrong = `sha256:${"0".repeat(64)}`;
    await expect(h(["template", GOLDEN_RELEASE, `${ref()}@${wrong}`, "--plain-http", ...templateArgs])).rejects.toThrow(
      /not found|failed/i,
    );
  });

  it("pulls and verifies the provenance from the registry", async () => {
    const dest = tempDir(`oci-pull${major}`);
    const r = await h([
      "pull",
      ref(),
      "--version",
      VERSION,
      "--plain-http",
      "--verify",
      "--keyring",
      key.pubring,
      "--destination",
      dest,
    ]);
    expect(r.stdout + r.stderr).toContain(`Chart Hash Verified: sha256:${signed.sha256}`);
  });

  it("pushes an unsigned package to a manifest digest that does not depend on when it is pushed", async () => {
    const r = await h(["push", unsigned.tgz, `oci://${registry.host}/unsigned${major}`, "--plain-http"]);
    await new Promise((res) => setTimeout(res, 1000 - (Date.now() % 1000) + 10));
    const again = await h(["push", unsigned.tgz, `oci://${registry.host}/unsigned${major}-again`, "--plain-http"]);
    unsignedDigests.set(major, pushedDigest(r.stdout + r.stderr));
    expect(pushedDigest(again.stdout + again.stderr)).toBe(unsignedDigests.get(major));
    const m = await manifest(`unsigned${major}/tailscale-egress`, VERSION);
    expect(m.layers.map((l) => l.digest)).toEqual([`sha256:${unsigned.sha256}`]);
  });
});

it("gives the unsigned package one manifest digest whichever Helm major pushes it", () => {
  expect(new Set(unsignedDigests.values()).size).toBe(1);
  expect(unsignedDigests.size).toBe(HELM_MAJORS.length);
});
