// The CLI as the npm package `tailnet-egress`, at the chart's version: one JavaScript file bundled by esbuild from
// tools/src/cli/npm-main.ts (validate, plan, f5xc) with its libraries inside, plus the data files it reads at run
// time (the chart's values.yaml, its package.json) and values.schema.json for editors. No dependencies, no
// TypeScript, no tests. `npm pack` makes the archive, so npm's own rules apply: every entry has the same fixed
// time and mode, so the same sources give the same bytes. Publishing is a maintainer's step: the result says
// the command.
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { build } from "esbuild";
import { execa } from "execa";
import { parse } from "yaml";
import { REPO_ROOT } from "../lib/paths.ts";
import { tempDir } from "../local/lab/tempdirs.ts";
import { CHART_NAME } from "../plan/names.ts";
import { CLI_NAME, checkVersion, PackageError, sha256File } from "./package.ts";

export const NPM_NAME = CLI_NAME;
/** The bundle's place in the package; paths.ts finds the package root from there (TAILNET_EGRESS_BUNDLE_ROOT). */
const BUNDLE = "bin/tailnet-egress.js";
/** Files copied from the checkout as they are: what the bundle reads, the schema, the license. */
const DATA_FILES = ["values.yaml", "values.schema.json", "LICENSE"];

export interface NpmPackageOptions {
  version: string;
  outDir: string;
  /** The checkout to package. Default: this repository. */
  root?: string;
}

export interface NpmPackageResult {
  tgz: string;
  sha256: string;
  version: string;
  /** Bytes of the .tgz and of its files unpacked, as npm pack reports them. */
  size: number;
  unpackedSize: number;
  /** The archive's files, relative to its package/ directory. */
  files: string[];
  /** What a maintainer runs to publish it. */
  publish: string;
  /** The bundle's own modules (paths in the checkout) and the packages bundled with them (name@version). */
  modules: string[];
  packages: string[];
}

interface RootPackage {
  version: string;
  license: string;
  engines: { node: string };
}

interface ChartMeta {
  home: string;
  sources: string[];
}

/** The CLI's README on the registry's page: what it is, the install line with this version, where the docs are. */
function readme(version: string, homepage: string): string {
  return `# ${NPM_NAME}

The command-line tool of the [${CHART_NAME}](${homepage}) Helm chart, version ${version} (use the same version
as the chart you install). It needs Node.js, neither Helm nor a clone of the repository:

\`\`\`sh
npx ${NPM_NAME}@${version} validate -f my-values.yaml      # the schema and the chart's rules, every problem by field
npx ${NPM_NAME}@${version} plan --from current.yaml --to my-values.yaml   # before every upgrade: refuses remapped ports
npx ${NPM_NAME}@${version} f5xc -f my-values.yaml --release egress --namespace egress --virtual-site shared/ves-io-all-res --tenant ves-io
\`\`\`

\`npx ${NPM_NAME}@${version} --help\` lists the commands; the others (\`start\`, \`cluster\`, \`golden\`, \`package\`)
run in a checkout of the repository. Documentation: ${homepage}
`;
}

interface Bundled {
  name: string;
  version: string;
  license: string;
  dir: string;
}

/** The packages the bundle holds, from the bundler's list of inputs (paths relative to the checkout). */
async function bundledPackages(root: string, inputs: string[]): Promise<Bundled[]> {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(join(root, m[1]!));
  }
  const out: Bundled[] = [];
  for (const dir of dirs) out.push({ ...JSON.parse(await readFile(join(dir, "package.json"), "utf8")), dir });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The license of each bundled package. */
async function thirdPartyNotices(packages: Bundled[]): Promise<string> {
  const notices: string[] = [];
  for (const p of packages) {
    const text = await readFile(join(p.dir, "LICENSE"), "utf8").catch(() => {
      throw new PackageError(`${p.name} is bundled into the CLI but has no LICENSE file to copy`);
    });
    notices.push(`## ${p.name} ${p.version} (${p.license})\n\n${text.trim()}\n`);
  }
  return `# Third-party software bundled in ${BUNDLE}\n\n${notices.join("\n")}`;
}

/** Builds <outDir>/tailnet-egress-<version>.tgz. */
export async function packageCli(o: NpmPackageOptions): Promise<NpmPackageResult> {
  const root = o.root ?? REPO_ROOT;
  const version = checkVersion(o.version);
  const rootPkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as RootPackage;
  const chart = parse(await readFile(join(root, "Chart.yaml"), "utf8")) as ChartMeta;
  const homepage = chart.sources[0] ?? chart.home;
  const stage = tempDir("npm-package");
  try {
    const dir = join(stage, "package");
    const bundle = join(dir, BUNDLE);
    const built = await build({
      absWorkingDir: root,
      entryPoints: [join(root, "tools/src/cli/npm-main.ts")],
      outfile: bundle,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // The bundled CommonJS libraries (yaml, ajv) call require(); an ES module has none of its own.
      banner: {
        js: '#!/usr/bin/env node\nimport { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);',
      },
      define: { TAILNET_EGRESS_BUNDLE_ROOT: JSON.stringify(relative(dirname(BUNDLE), ".")) },
      // Smaller, while --debug's stack traces keep the functions' names.
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: "none",
      metafile: true,
      logLevel: "silent",
    });
    await chmod(bundle, 0o755);
    for (const f of DATA_FILES) await copyFile(join(root, f), join(dir, f));
    const pkg = {
      name: NPM_NAME,
      version,
      description: `The command-line tool of the ${CHART_NAME} Helm chart: validate values, plan ports, F5 XC origin pools`,
      license: rootPkg.license,
      homepage,
      repository: { type: "git", url: homepage },
      type: "module",
      bin: { [NPM_NAME]: BUNDLE },
      engines: rootPkg.engines,
    };
    await writeFile(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
    await writeFile(join(dir, "README.md"), readme(version, homepage));
    const inputs = Object.keys(built.metafile.inputs);
    const packages = await bundledPackages(root, inputs);
    await writeFile(join(dir, "THIRD-PARTY-NOTICES.md"), await thirdPartyNotices(packages));
    await mkdir(o.outDir, { recursive: true });
    const r = await execa(
      "npm",
      ["pack", "--json", "--ignore-scripts", "--pack-destination", o.outDir, "--cache", join(stage, "npm-cache")],
      { cwd: dir, reject: false, env: { npm_config_update_notifier: "false" } },
    );
    if (r.exitCode !== 0) throw new PackageError(`npm pack failed:\n${r.stderr || r.stdout}`);
    const [packed] = JSON.parse(r.stdout) as {
      filename: string;
      size: number;
      unpackedSize: number;
      files: { path: string }[];
    }[];
    const tgz = join(o.outDir, packed!.filename);
    // npm refuses to publish a prerelease under the default tag (latest) unless told which tag.
    const prerelease = /^[^+]*-/.test(version) ? " --tag next" : "";
    return {
      tgz,
      sha256: await sha256File(tgz),
      version,
      size: packed!.size,
      unpackedSize: packed!.unpackedSize,
      files: packed!.files.map((f) => f.path).sort(),
      publish: `npm publish ${tgz}${prerelease}`,
      modules: inputs.filter((i) => !i.includes("node_modules/")).sort(),
      packages: packages.map((p) => `${p.name}@${p.version}`),
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
