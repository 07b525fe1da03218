// npm run package: reproducible (same bytes from the same sources, whenever packaged), signed, the version
// stamped at package time, and nothing but chart files in the archive.
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as packageCommand } from "../../tools/src/cli/commands/package.ts";
import { UsageError } from "../../tools/src/cli/args.ts";
import { HELM_MAJORS } from "../../tools/src/helm/helm.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { archiveEntries, packageChart, sourceEpoch, type PackageResult } from "../../tools/src/release/package.ts";
import { isolatedHelm, signingKey, type SigningKey } from "../lib/release.ts";
import { cleanupAll } from "../../tools/src/local/lab/cleanup.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";

const VERSION = "1.0.0";
let key: SigningKey;
let first: PackageResult;
const pack = (outDir: string, epoch?: number) =>
  packageChart({ version: VERSION, outDir, epoch, sign: { key: key.name, keyring: key.secring } });

beforeAll(async () => {
  key = await signingKey();
  first = await pack(tempDir("pkg-a"));
});
afterAll(async () => void (await cleanupAll()));

describe("npm run package", () => {
  it("packages the same sources to the same sha256 on a later run", async () => {
    // Start the second run in a later second than the first, so a time stamped from the clock would show.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 10));
    const second = await pack(tempDir("pkg-b"));
    expect(second.sha256).toBe(first.sha256);
    expect(first.epoch).toBe(await sourceEpoch());
  });

  it("takes file times from the source epoch only", async () => {
    const other = await pack(tempDir("pkg-c"), first.epoch + 1);
    expect(other.sha256).not.toBe(first.sha256);
  });

  it("holds only the chart's files", async () => {
    const tracked = (
      await execa("git", [
        "-C",
        repoPath(),
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
        "templates",
        "files",
      ])
    ).stdout
      .split("\n")
      .filter(Boolean);
    const expected = [
      "Chart.yaml",
      "values.yaml",
      "values.schema.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      ...tracked,
    ];
    const entries = await archiveEntries(first.tgz);
    expect(entries.every((e) => e.startsWith("tailscale-egress/"))).toBe(true);
    expect(entries.map((e) => e.slice("tailscale-egress/".length)).sort()).toEqual(expected.sort());
  });

  it("stamps the release version into the packaged Chart.yaml only", async () => {
    const chartYaml = (await execa("tar", ["-xOzf", first.tgz, "tailscale-egress/Chart.yaml"])).stdout;
    expect(chartYaml).toMatch(new RegExp(`^version: ${VERSION.replace(/\./g, "\\.")}$`, "m"));
    const repoChart = (await execa("git", ["-C", repoPath(), "show", "HEAD:Chart.yaml"])).stdout;
    expect(repoChart).toMatch(/^version: 0\.0\.0-dev$/m);
  });

  it.each(HELM_MAJORS.map((m) => [m]))("signs a provenance file that helm %i verifies", async (major) => {
    const r = await isolatedHelm(major)(["verify", first.tgz, "--keyring", key.pubring]);
    expect(r.stdout).toContain(`Signed by: ${key.name}`);
    expect(r.stdout).toContain(`Chart Hash Verified: sha256:${first.sha256}`);
  });

  it("refuses to run without a signing key unless told --unsigned", async () => {
    await expect(packageCommand(["--out", tempDir("pkg-d")])).rejects.toThrow(UsageError);
    await expect(packageCommand(["--key", key.name, "--out", tempDir("pkg-e")])).rejects.toThrow(
      /--key and --keyring go together/,
    );
    await expect(packageCommand(["--unsigned", "--version", "1.0", "--out", tempDir("pkg-f")])).resolves.toBe(1);
  });
});
