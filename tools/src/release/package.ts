// Reproducible chart packages. The chart's files are staged with every mtime set to one timestamp
// (SOURCE_DATE_EPOCH, default: the last commit's time) and packaged by Helm 4, which writes each file's
// mtime into the tar entry, mode 0644, owner 0, and a gzip header without a time. So one commit packages
// to the same bytes every time. Helm 3 (3.18.4) stamps every tar entry with the current time instead, so
// its packages differ on every run; it is not used here. The provenance (.prov) file is a PGP signature,
// which carries its own creation time: it differs on every run, the digest it signs does not.
// The archive's own mtime is set to the same time, because `helm push` copies it into the OCI manifest
// (org.opencontainers.image.created): an unsigned package then pushes to the same manifest digest too.
import { createHash } from "node:crypto";
import { chmod, copyFile, lstat, mkdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { helm } from "../helm/helm.ts";
import { REPO_ROOT } from "../lib/paths.ts";
import { tempDir } from "../local/lab/tempdirs.ts";
import { CHART_NAME } from "../plan/names.ts";
import { absoluteChartLinks } from "./links.ts";

export interface SignOptions {
  /** Name (or part of the user ID) of the key in the keyring. */
  key: string;
  /** A keyring in the legacy binary format Helm reads (gpg --export-secret-keys > secring.gpg). */
  keyring: string;
  passphraseFile?: string;
}

export interface PackageOptions {
  version: string;
  outDir: string;
  sign?: SignOptions;
  /** Seconds since 1970 for every file's mtime. Default: $SOURCE_DATE_EPOCH, else the last commit's time. */
  epoch?: number;
  /** The checkout to package. Default: this repository. */
  root?: string;
}

export interface PackageResult {
  tgz: string;
  prov?: string;
  sha256: string;
  version: string;
  epoch: number;
  commit: string;
  /** True when the checkout had changes not committed: then the package is not the commit's. */
  dirty: boolean;
}

// SemVer 2, as Helm requires for chart versions.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

export class PackageError extends Error {}

/** The CLI's npm package (npm.ts), released with the chart at the same version. */
export const CLI_NAME = "tailnet-egress";
/** How the README names the CLI's release in its commands; the package stamps the version in. */
export const CLI_AT_VERSION = `${CLI_NAME}@<version>`;

/** The staged README with `npx tailnet-egress@<version>` made `npx tailnet-egress@<the chart's version>`. */
async function stampCliVersion(chartDir: string, version: string, epoch: number): Promise<void> {
  const file = join(chartDir, "README.md");
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replaceAll(CLI_AT_VERSION, `${CLI_NAME}@${version}`));
  await utimes(file, epoch, epoch);
}

export function checkVersion(version: string): string {
  if (!SEMVER.test(version))
    throw new PackageError(`chart version "${version}" is not SemVer 2 (e.g. 1.2.3 or 1.2.3-rc.1)`);
  return version;
}

async function git(root: string, args: string[]): Promise<string> {
  return (await execa("git", ["-C", root, ...args])).stdout;
}

export async function sourceEpoch(root = REPO_ROOT): Promise<number> {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== "") {
    if (!/^\d+$/.test(env)) throw new PackageError(`SOURCE_DATE_EPOCH must be whole seconds, got "${env}"`);
    return Number(env);
  }
  return Number(await git(root, ["log", "-1", "--format=%ct"]));
}

/**
 * Copies the checkout's regular files (tracked, plus untracked ones git does not ignore) into
 * <stage>/<chart>. Returns the chart directory and whether any untracked file was copied.
 */
async function stageChart(root: string, stage: string, epoch: number): Promise<{ dir: string; untracked: boolean }> {
  const dir = join(stage, CHART_NAME);
  const list = async (which: string) =>
    (await git(root, ["ls-files", "-z", which, "--exclude-standard"])).split("\0").filter(Boolean);
  const others = new Set(await list("--others"));
  let untracked = false;
  const dirs = new Set<string>([dir]);
  for (const rel of [...(await list("--cached")), ...others]) {
    const src = join(root, rel);
    const st = await lstat(src).catch(() => undefined);
    if (!st?.isFile()) continue; // deleted in the worktree, or a symlink/submodule: not chart content
    untracked ||= others.has(rel);
    const dst = join(dir, rel);
    for (let d = dirname(dst); d.length > dir.length; d = dirname(d)) dirs.add(d);
    await mkdir(dirname(dst), { recursive: true });
    await copyFile(src, dst);
    await chmod(dst, 0o644);
    await utimes(dst, epoch, epoch);
  }
  for (const d of dirs) await utimes(d, epoch, epoch);
  return { dir, untracked };
}

export async function sha256File(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

export async function packageChart(o: PackageOptions): Promise<PackageResult> {
  const root = o.root ?? REPO_ROOT;
  const version = checkVersion(o.version);
  const epoch = o.epoch ?? (await sourceEpoch(root));
  const commit = await git(root, ["rev-parse", "HEAD"]);
  const modified = (await git(root, ["status", "--porcelain", "--untracked-files=no"])) !== "";
  const stage = tempDir("package");
  try {
    const { dir: chartDir, untracked } = await stageChart(root, stage, epoch);
    // docs/ is not packaged: the README's links to it point at the tagged repository instead.
    await absoluteChartLinks(chartDir, version, epoch);
    await stampCliVersion(chartDir, version, epoch);
    const dirty = modified || untracked;
    await mkdir(o.outDir, { recursive: true });
    const args = ["package", chartDir, "--version", version, "--destination", o.outDir];
    if (o.sign) {
      args.push("--sign", "--key", o.sign.key, "--keyring", o.sign.keyring);
      if (o.sign.passphraseFile) args.push("--passphrase-file", o.sign.passphraseFile);
    }
    const r = await helm(4, args);
    if (r.exitCode !== 0) throw new PackageError(`helm package failed:\n${r.stderr || r.stdout}`);
    const tgz = join(o.outDir, `${CHART_NAME}-${version}.tgz`);
    // helm push records the archive's mtime as org.opencontainers.image.created: keep that reproducible too.
    await utimes(tgz, epoch, epoch);
    return {
      tgz,
      prov: o.sign ? `${tgz}.prov` : undefined,
      sha256: await sha256File(tgz),
      version,
      epoch,
      commit,
      dirty,
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** The entry names of a .tgz, in archive order. */
export async function archiveEntries(tgz: string): Promise<string[]> {
  return (await execa("tar", ["-tzf", tgz])).stdout.split("\n").filter(Boolean);
}
