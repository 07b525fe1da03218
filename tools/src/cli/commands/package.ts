import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { packageCli } from "../../release/npm.ts";
import { packageChart, PackageError } from "../../release/package.ts";
import { repoPath } from "../../lib/paths.ts";
import { parse, UsageError } from "../args.ts";

export const usage = `Usage: tailnet-egress package (--key NAME --keyring FILE [--passphrase-file FILE] | --unsigned)
                              [--version X.Y.Z] [--out dist] [--json]

Packages the chart with Helm 4 into <out>/tailscale-egress-<version>.tgz, reproducibly: every file's time
is the last commit's (or $SOURCE_DATE_EPOCH), so one commit always gives the same sha256. The version
defaults to package.json's; Chart.yaml keeps 0.0.0-dev. --key/--keyring also write the provenance file
(.tgz.prov); the keyring must be in gpg's legacy format: gpg --export-secret-keys NAME > secring.gpg.

It also writes <out>/tailnet-egress-<version>.tgz, the CLI (validate, plan, f5xc) as an npm package of the
same version, and prints the npm publish command that releases it.`;

/** A path relative to the current directory when it lies below it, else as it is. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      version: { type: "string" },
      out: { type: "string", default: repoPath("dist") },
      key: { type: "string" },
      keyring: { type: "string" },
      "passphrase-file": { type: "string" },
      unsigned: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    usage,
  );
  if (values.help) return (console.log(usage), 0);
  const signing = values.key !== undefined || values.keyring !== undefined;
  if (signing && (!values.key || !values.keyring)) throw new UsageError(`--key and --keyring go together\n\n${usage}`);
  if (signing === values.unsigned) throw new UsageError(`give --key and --keyring to sign, or --unsigned\n\n${usage}`);
  const version =
    values.version ?? (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version;
  try {
    const r = await packageChart({
      version,
      outDir: values.out,
      sign: signing
        ? { key: values.key!, keyring: values.keyring!, passphraseFile: values["passphrase-file"] }
        : undefined,
    });
    const cli = await packageCli({ version, outDir: values.out });
    if (values.json) {
      console.log(JSON.stringify({ ...r, npm: cli }, null, 2));
      return 0;
    }
    if (r.dirty)
      console.error("warning: the checkout has uncommitted changes, so this package is not reproducible from a commit");
    console.log(`${shown(r.tgz)}\n  version ${r.version}\n  sha256  ${r.sha256}`);
    console.log(
      `  commit  ${r.commit}${r.dirty ? " (plus uncommitted changes)" : ""}\n  mtime   ${new Date(r.epoch * 1000).toISOString()}`,
    );
    console.log(r.prov ? `  signed  ${shown(r.prov)}` : "  unsigned");
    console.log(`${shown(cli.tgz)}\n  npm package ${cli.version}, ${cli.size} bytes (${cli.unpackedSize} unpacked)`);
    console.log(`  sha256  ${cli.sha256}\n  publish ${cli.publish.replace(cli.tgz, shown(cli.tgz))}`);
    return 0;
  } catch (e) {
    if (e instanceof PackageError) return (console.error(e.message), 1);
    throw e;
  }
}
