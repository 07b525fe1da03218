// npm run package: reproducible (same bytes from the same sources, whenever packaged), signed, the version
// stamped at package time, and nothing but chart files in the archive.
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as packageCommand } from "../../tools/src/cli/commands/package.ts";
import { UsageError } from "../../tools/src/cli/args.ts";
import { HELM_MAJORS } from "../../tools/src/helm/helm.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import {
  archiveEntries,
  CLI_AT_VERSION,
  CLI_NAME,
  packageChart,
  sourceEpoch,
  type PackageResult,
} from "../../tools/src/release/package.ts";
import { isolatedHelm, signingKey, type SigningKey } from "../lib/release.ts";
import { cleanupAll } from "../../tools/src/local/lab/cleanup.ts";
import { isExternal, markdownAnchors, markdownLinks } from "../../tools/src/lib/markdown.ts";
import { absoluteLinks } from "../../tools/src/release/links.ts";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
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

  it("points the packaged README's links at the tagged repository, since docs/ is not in the chart", async () => {
    const packaged = (await execa("tar", ["-xOzf", first.tgz, "tailscale-egress/README.md"])).stdout;
    const source = readFileSync(repoPath("README.md"), "utf8");
    const base = (parse(readFileSync(repoPath("Chart.yaml"), "utf8")) as { sources: string[] }).sources[0]!;
    const prefix = `${base}/blob/v${VERSION}/`;
    const sourceRelative = markdownLinks(source).filter((l) => !isExternal(l.target) && !l.target.startsWith("#"));
    expect(sourceRelative.map((l) => l.target)).toContain("docs/operating.md");
    const links = markdownLinks(packaged);
    // No relative link is left but anchors into the README itself, and each of those resolves there.
    const relative = links.filter((l) => !isExternal(l.target));
    expect(relative.filter((l) => !l.target.startsWith("#"))).toEqual([]);
    const anchors = markdownAnchors(packaged);
    for (const l of relative) expect(anchors, l.target).toContain(l.target.slice(1));
    // Each relative link of the source became <sources[0]>/blob/v<version>/<the same path>, a file of the repository.
    const rewritten = links.filter((l) => l.target.startsWith(prefix)).map((l) => l.target.slice(prefix.length));
    expect(rewritten).toEqual(sourceRelative.map((l) => l.target));
    for (const path of rewritten) expect(existsSync(repoPath(path.split("#")[0]!)), path).toBe(true);
  });

  it("stamps the version into the README's npx tailnet-egress@<version> commands", async () => {
    const packaged = (await execa("tar", ["-xOzf", first.tgz, "tailscale-egress/README.md"])).stdout;
    expect(readFileSync(repoPath("README.md"), "utf8")).toContain(`npx ${CLI_AT_VERSION} plan --from`);
    expect(packaged).toContain(`npx ${CLI_NAME}@${VERSION} plan --from`);
    expect(packaged).not.toContain(CLI_AT_VERSION);
  });

  it("refuses a link that leaves the repository, and keeps anchors and URLs", () => {
    expect(absoluteLinks("[a](docs/x.md#y) [b](#z) [c](https://e.invalid/d) `[e](f.md)`", "https://h/r/", "v1")).toBe(
      "[a](https://h/r/blob/v1/docs/x.md#y) [b](#z) [c](https://e.invalid/d) `[e](f.md)`",
    );
    expect(() => absoluteLinks("[a](../elsewhere.md)", "https://h/r", "v1")).toThrow(/leaves the repository/);
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
