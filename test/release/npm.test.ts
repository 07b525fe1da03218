// The CLI as the npm package `tailnet-egress`: packed by the release tooling, published to a real npm registry
// (Verdaccio) on loopback, installed from there into an empty directory with a fresh npm cache, and run with
// npx. Each command must print byte for byte what the checkout's CLI prints, with the same exit code, for good
// and bad input, without the repository, Helm or the toolchain on hand.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { delimiter, join, relative } from "node:path";
import { execa } from "execa";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { cleanupAll } from "../../tools/src/local/lab/cleanup.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";
import { NPM_NAME, packageCli, type NpmPackageResult } from "../../tools/src/release/npm.ts";
import { sha256File } from "../../tools/src/release/package.ts";
import { startNpmRegistry, type NpmRegistry } from "../lib/release.ts";

const VERSION = "1.0.0";
let registry: NpmRegistry;
let packed: NpmPackageResult;
/** The user's empty directory, where the package is installed and its commands run. */
let user: string;
/** Where the checkout's CLI runs: the same inputs at the same relative paths, its own out/. */
let beside: string;
/** An empty directory where npx fetches the package itself, as the README's install block shows. */
let bare: string;
/** What both CLIs run with: no Helm, no toolchain, no npm config but the loopback registry's. */
let env: Record<string, string>;

/** A PATH with only node, npm, npx and sh (npx runs a package's bin through sh): Helm cannot be found. */
function minimalPath(): string {
  const dir = tempDir("npm-path");
  const onPath = (name: string): string => {
    for (const d of (process.env.PATH ?? "").split(delimiter).filter(Boolean))
      if (existsSync(join(d, name))) return realpathSync(join(d, name));
    throw new Error(`${name} is not on PATH`);
  };
  symlinkSync(process.execPath, join(dir, "node"));
  for (const name of ["npm", "npx", "sh"]) symlinkSync(onPath(name), join(dir, name));
  return dir;
}

const npm = (args: string[], cwd: string, more: Record<string, string> = {}) =>
  execa("npm", args, { cwd, env: { ...env, ...more }, extendEnv: false });

beforeAll(async () => {
  [registry, packed] = await Promise.all([
    startNpmRegistry(),
    packageCli({ version: VERSION, outDir: tempDir("npm-out") }),
  ]);
  const home = tempDir("npm-home");
  env = {
    PATH: minimalPath(),
    HOME: home,
    TOOLS_DIR: join(home, "no-toolchain"),
    npm_config_registry: registry.url,
    npm_config_userconfig: registry.userconfig,
    npm_config_globalconfig: join(home, "no-globalconfig"),
    npm_config_cache: tempDir("npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  // Published with a cache of its own, so that the install below starts from an empty one.
  await npm(["publish", packed.tgz], tempDir("npm-publish"), { npm_config_cache: tempDir("npm-cache-publish") });
  user = tempDir("npm-user");
  await npm(["install", `${NPM_NAME}@${VERSION}`], user);
  // The inputs, next to the install, named relative to it so that both CLIs print the same paths.
  const example = readFileSync(repoPath("examples/values.yaml"), "utf8");
  beside = tempDir("checkout-cwd");
  bare = tempDir("npx-only");
  for (const d of [user, beside, bare]) mkdirSync(join(d, "in"));
  const put = (name: string, text: string) => {
    for (const d of [user, beside, bare]) writeFileSync(join(d, "in", name), text);
  };
  put("values.yaml", example);
  put("f5xc-vk8s.yaml", readFileSync(repoPath("examples/f5xc-vk8s.yaml"), "utf8"));
  put("invalid.yaml", stringify({ tailnets: [{ name: "A", authKey: "k", services: [{ host: "x", port: 70000 }] }] }));
  put("broken.yaml", "tailnets:\n  - name: corp\n    authKey: tskey: x\n");
  // corp-web removed: corp-db moves from port 10000+1 to 10000, a remap that plan refuses.
  put("remapped.yaml", example.replace(/ {6}- host: web\.corp\.ts\.net\n {8}port: 443\n {8}name: corp-web\n/, ""));
  put("a-file", "");
}, 240_000);
afterAll(async () => {
  await registry?.stop();
  await cleanupAll();
});

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** The files the command wrote under out/ (f5xc --out), path -> content. */
  written: Record<string, string>;
}

async function runIn(cwd: string, cmd: string, args: string[], more: Record<string, string> = {}): Promise<Run> {
  rmSync(join(cwd, "out"), { recursive: true, force: true });
  const r = await execa(cmd, args, {
    cwd,
    env: { ...env, ...more },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
  });
  const written: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else written[relative(cwd, p)] = readFileSync(p, "utf8");
    }
  };
  if (existsSync(join(cwd, "out"))) walk(join(cwd, "out"));
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), written };
}
/** The installed package, run as a user runs it. */
const fromNpm = (args: string[]) => runIn(user, "npx", [NPM_NAME, ...args]);
/** The checkout's CLI (bin/tailnet-egress.js, through tsx). */
const fromCheckout = (args: string[]) => runIn(beside, "node", [repoPath("bin/tailnet-egress.js"), ...args]);

const f5xc = [
  "f5xc",
  "-f",
  "in/f5xc-vk8s.yaml",
  "-f",
  "in/values.yaml",
  "--release",
  "egress",
  "--namespace",
  "egress",
];
const vsite = ["--virtual-site", "shared/ves-io-all-res", "--tenant", "ves-io"];
/** [what, arguments, the exit code both must give] */
const CASES: [string, string[], number][] = [
  ["validate: good values", ["validate", "-f", "in/values.yaml"], 0],
  ["validate: values the schema refuses", ["validate", "-f", "in/invalid.yaml"], 1],
  ["validate: YAML that does not parse", ["validate", "-f", "in/values.yaml", "-f", "in/broken.yaml"], 2],
  ["validate: a missing file", ["validate", "-f", "in/missing.yaml"], 2],
  ["validate: an unknown option", ["validate", "--nope"], 2],
  ["validate --help", ["validate", "--help"], 0],
  ["plan -f: ports and Envoy files", ["plan", "-f", "in/values.yaml"], 0],
  ["plan --json", ["plan", "-f", "in/values.yaml", "--json"], 0],
  ["plan --from --to: no change", ["plan", "--from", "in/values.yaml", "--to", "in/values.yaml"], 0],
  ["plan --from --to: a remap, refused", ["plan", "--from", "in/values.yaml", "--to", "in/remapped.yaml"], 1],
  [
    "plan --from --to --allow-remap",
    ["plan", "--from", "in/values.yaml", "--to", "in/remapped.yaml", "--allow-remap"],
    0,
  ],
  ["plan --from without --to", ["plan", "--from", "in/values.yaml"], 2],
  ["f5xc: JSON objects", [...f5xc, ...vsite], 0],
  ["f5xc --table", [...f5xc, ...vsite, "--table"], 0],
  ["f5xc --out: the objects and apply.sh", [...f5xc, ...vsite, "--out", "out"], 0],
  ["f5xc: no site", f5xc, 2],
  ["f5xc: a bad health check interval", [...f5xc, ...vsite, "--hc-interval", "soon"], 2],
  ["f5xc: an unexpected error (--out is a file)", [...f5xc, ...vsite, "--out", "in/a-file"], 4],
];

describe("the npm package tailnet-egress, from a registry", () => {
  it("holds the bundle, its data files, the license and notices: no TypeScript, tests, toolchain or dependencies", async () => {
    expect(packed.files).toEqual([
      "LICENSE",
      "README.md",
      "THIRD-PARTY-NOTICES.md",
      "bin/tailnet-egress.js",
      "package.json",
      "values.schema.json",
      "values.yaml",
    ]);
    const tar = (await execa("tar", ["-tzf", packed.tgz])).stdout.split("\n").filter(Boolean);
    expect(tar.sort()).toEqual(packed.files.map((f) => `package/${f}`).sort());
    const manifest = JSON.parse((await execa("tar", ["-xOzf", packed.tgz, "package/package.json"])).stdout);
    expect(manifest).toMatchObject({ name: NPM_NAME, version: VERSION, bin: { [NPM_NAME]: "bin/tailnet-egress.js" } });
    for (const deps of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies"])
      expect(manifest, deps).not.toHaveProperty(deps);
    // The bundle holds the portable commands' modules and the libraries they import, nothing of the checkout's.
    expect(packed.packages.map((p) => p.replace(/@[^@]+$/, ""))).toEqual([
      "ajv",
      "fast-deep-equal",
      "fast-uri",
      "json-schema-traverse",
      "yaml",
    ]);
    expect(packed.modules).toContain("tools/src/cli/commands/f5xc.ts");
    expect(
      packed.modules.filter((m) => !/^tools\/src\/(cli|f5xc|lib|model|plan|values)\/[\w/-]+\.ts$/.test(m)),
    ).toEqual([]);
    expect(packed.modules.filter((m) => /commands\/(golden|start|package|cluster)|tempdirs|helm\//.test(m))).toEqual(
      [],
    );
    // docs/cli.md states these bounds.
    expect(packed.size).toBeLessThan(150_000);
    expect(packed.unpackedSize).toBeLessThan(600_000);
    // Installed, it brought nothing else along.
    expect(readdirSync(join(user, "node_modules")).sort()).toEqual([".bin", ".package-lock.json", NPM_NAME]);
  });

  it("packs the same sources to the same bytes", async () => {
    const again = await packageCli({ version: VERSION, outDir: tempDir("npm-out-again") });
    expect(again.sha256).toBe(packed.sha256);
    expect(again.size).toBe(packed.size);
  });

  it("npm run package writes it next to the chart, at the chart's version, and prints how to publish it", async () => {
    const out = tempDir("package-both");
    const args = ["package", "--unsigned", "--version", VERSION, "--out", out];
    const r = await execa("node", [repoPath("bin/tailnet-egress.js"), ...args], { cwd: out, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([`${NPM_NAME}-${VERSION}.tgz`, `tailscale-egress-${VERSION}.tgz`]);
    expect(r.stdout).toMatch(new RegExp(`^  publish npm publish ${NPM_NAME}-${VERSION}\\.tgz$`, "m"));
    expect(await sha256File(join(out, `${NPM_NAME}-${VERSION}.tgz`))).toBe(packed.sha256);
  });

  it("installs from the registry, not from the local archive", async () => {
    const r = await npm(["view", `${NPM_NAME}@${VERSION}`, "dist.shasum", "dist.tarball"], user);
    expect(r.stdout).toContain(`${registry.url}/${NPM_NAME}/-/${NPM_NAME}-${VERSION}.tgz`);
    const lock = JSON.parse(readFileSync(join(user, "package-lock.json"), "utf8"));
    expect(lock.packages[`node_modules/${NPM_NAME}`].resolved).toBe(
      `${registry.url}/${NPM_NAME}/-/${NPM_NAME}-${VERSION}.tgz`,
    );
  });

  it.each(CASES)("%s: the same stdout, stderr and exit code as the checkout", async (_, args, code) => {
    const [pkg, checkout] = await Promise.all([fromNpm(args), fromCheckout(args)]);
    expect(checkout.exitCode, checkout.stderr).toBe(code);
    expect(pkg).toEqual(checkout);
    if (code !== 0) expect(pkg.stderr).not.toMatch(/^ {4}at /m);
    if (args.includes("out")) expect(Object.keys(pkg.written)).toContain("out/apply.sh");
  });

  it("npx tailnet-egress@<version> with nothing installed fetches it from the registry and runs it", async () => {
    const args = ["plan", "--from", "in/values.yaml", "--to", "in/remapped.yaml"];
    const [pkg, checkout] = await Promise.all([
      runIn(bare, "npx", ["--yes", `${NPM_NAME}@${VERSION}`, ...args], { npm_config_cache: tempDir("npm-cache-npx") }),
      fromCheckout(args),
    ]);
    expect(checkout.exitCode).toBe(1);
    expect(pkg).toEqual(checkout);
    expect(existsSync(join(bare, "node_modules"))).toBe(false);
  });

  it("prints its own version, and names the commands it leaves to the checkout and where they live", async () => {
    const version = await fromNpm(["--version"]);
    expect(version).toMatchObject({ exitCode: 0, stdout: `${VERSION}\n`, stderr: "" });
    const repository = (parse(readFileSync(repoPath("Chart.yaml"), "utf8")) as { sources: string[] }).sources[0];
    const help = await fromNpm(["--help"]);
    expect(help.exitCode).toBe(0);
    const [portable, elsewhere = ""] = help.stdout.split(/^These run in a checkout of the chart's repository/m);
    for (const c of ["validate", "plan", "f5xc"]) expect(portable).toMatch(new RegExp(`^  ${c} `, "m"));
    for (const c of ["golden", "start", "package", "cluster"]) {
      expect(portable).not.toMatch(new RegExp(`^  ${c} `, "m"));
      expect(elsewhere).toMatch(new RegExp(`^  ${c} `, "m"));
      const r = await fromNpm([c]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe(
        `"${c}" is not in this package: it runs in a checkout of the chart's repository (${repository}), after npm ci\n`,
      );
    }
  });
});
