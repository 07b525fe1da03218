// A real chart repository over HTTP on loopback: helm repo index, repo add, search repo, pull --verify and
// template from the repository, with Helm 3 and Helm 4, each with its own empty Helm homes.
import { copyFileSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOLDEN_RELEASE, HELM_MAJORS } from "../../tools/src/helm/helm.ts";
import { packageChart, sha256File, type PackageResult } from "../../tools/src/release/package.ts";
import {
  goldenAs,
  goldenCase,
  isolatedHelm,
  serveDir,
  signingKey,
  templateArgs,
  type SigningKey,
} from "../lib/release.ts";
import { cleanupAll } from "../../tools/src/local/lab/cleanup.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";

const VERSION = "1.0.0";
const golden = goldenCase();

let key: SigningKey;
let pkg: PackageResult;
let repo: { url: string; close(): Promise<void> };

beforeAll(async () => {
  key = await signingKey();
  const dir = tempDir("repo");
  pkg = await packageChart({ version: VERSION, outDir: dir, sign: { key: key.name, keyring: key.secring } });
  repo = await serveDir(dir);
  await isolatedHelm(4)(["repo", "index", dir, "--url", repo.url]);
});
afterAll(async () => {
  await repo?.close();
  await cleanupAll();
});

describe.each(HELM_MAJORS.map((m) => [m]))("helm %i and an HTTP chart repository", (major) => {
  const h = isolatedHelm(major);
  const name = `egress${major}`;

  it("adds the repository and finds the chart", async () => {
    await h(["repo", "add", name, repo.url]);
    const found = JSON.parse((await h(["search", "repo", `${name}/tailscale-egress`, "--output", "json"])).stdout) as {
      name: string;
      version: string;
    }[];
    expect(found).toEqual([expect.objectContaining({ name: `${name}/tailscale-egress`, version: VERSION })]);
  });

  it("pulls the chart and verifies its provenance with the public key", async () => {
    const dest = tempDir(`pull${major}`);
    const r = await h([
      "pull",
      `${name}/tailscale-egress`,
      "--version",
      VERSION,
      "--verify",
      "--keyring",
      key.pubring,
      "--destination",
      dest,
    ]);
    expect(r.stdout + r.stderr).toContain(`Chart Hash Verified: sha256:${pkg.sha256}`);
    const tgz = join(dest, basename(pkg.tgz));
    expect(await sha256File(tgz)).toBe(pkg.sha256);
    expect(existsSync(`${tgz}.prov`)).toBe(true);
  });

  it("refuses a package whose provenance does not match", async () => {
    const dest = tempDir(`tamper${major}`);
    copyFileSync(pkg.prov!, join(dest, `${basename(pkg.tgz)}.prov`));
    copyFileSync(golden.file, join(dest, basename(pkg.tgz)));
    await expect(h(["verify", join(dest, basename(pkg.tgz)), "--keyring", key.pubring])).rejects.toThrow(/sha256/i);
  });

  it("renders from the repository exactly as the golden case", async () => {
    const r = await h(["template", GOLDEN_RELEASE, `${name}/tailscale-egress`, "--version", VERSION, ...templateArgs]);
    expect(r.stdout).toBe(goldenAs(VERSION));
  });
});
