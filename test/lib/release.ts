// Helpers of the release tests: a throwaway GPG signing key, isolated Helm homes, a static HTTP server, the CNCF
// distribution registry and a Verdaccio npm registry, all on loopback, in the lab's temp dirs (cleanupAll() in
// afterAll removes them).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join, normalize } from "node:path";
import { execa, type ResultPromise } from "execa";
import {
  GOLDEN_KUBE_VERSION,
  GOLDEN_NAMESPACE,
  helm,
  type HelmMajor,
  type HelmResult,
} from "../../tools/src/helm/helm.ts";
import { systemTool, toolPath } from "../../tools/src/lib/toolpaths.ts";
import { goldenCases, type GoldenCase } from "../../tools/src/golden/cases.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";

export interface SigningKey {
  /** The user ID, which `helm package --key` matches. */
  name: string;
  /** Secret keyring in the legacy format Helm reads (gpg --export-secret-keys). */
  secring: string;
  /** Public keyring for `helm verify` / `helm pull --verify`. */
  pubring: string;
}

/** A new passphrase-less RSA signing key in a throwaway GNUPGHOME. Nothing is written outside tmp. */
export async function signingKey(): Promise<SigningKey> {
  const gpg = systemTool("gpg");
  const dir = tempDir("gpg");
  const home = join(dir, "gnupg");
  mkdirSync(home, { mode: 0o700 });
  const env = { GNUPGHOME: home };
  const name = "tailscale-egress test signer <test-signer@example.invalid>";
  await execa(gpg, ["--batch", "--quiet", "--passphrase", "", "--quick-gen-key", name, "rsa2048", "sign", "1d"], {
    env,
  });
  const secring = join(dir, "secring.gpg");
  const pubring = join(dir, "pubring.gpg");
  for (const [file, what] of [
    [secring, "--export-secret-keys"],
    [pubring, "--export"],
  ] as const) {
    const r = await execa(gpg, ["--batch", what, name], { env, encoding: "buffer" });
    if (r.stdout.length === 0) throw new Error(`gpg ${what} wrote nothing:\n${r.stderr.toString()}`);
    writeFileSync(file, r.stdout);
  }
  // Stop the agent that key generation started, so no process outlives the test.
  await execa("gpgconf", ["--kill", "all"], { env, reject: false });
  return { name, secring, pubring };
}

/** Helm with its config, cache, data and registry credentials in a fresh directory, and no proxy for loopback. */
export function isolatedHelm(major: HelmMajor): (args: string[]) => Promise<HelmResult> {
  const home = tempDir(`helm${major}`);
  const env = {
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_DATA_HOME: join(home, "data"),
    HELM_REGISTRY_CONFIG: join(home, "config", "registry.json"),
    HELM_REPOSITORY_CONFIG: join(home, "config", "repositories.yaml"),
    HELM_REPOSITORY_CACHE: join(home, "cache", "repository"),
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
  };
  return async (args) => {
    const r = await helm(major, args, env);
    if (r.exitCode !== 0) throw new Error(`helm ${major} ${args.join(" ")} failed:\n${r.stderr || r.stdout}`);
    return r;
  };
}

/** Serves a directory's files over HTTP on 127.0.0.1. */
export async function serveDir(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { "content-length": body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Starts a server on a free loopback port: `launch` writes its config for the port and starts it; it is ready once
 * GET `readyPath` answers 2xx. A port taken meanwhile by someone else gets two more tries on other ports.
 */
async function serveOnFreePort(
  what: string,
  readyPath: string,
  launch: (port: number) => ResultPromise,
): Promise<{ port: number; stop(): Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = launch(port);
    if (await ready(`http://127.0.0.1:${port}${readyPath}`, proc)) {
      return {
        port,
        stop: async () => {
          proc.kill("SIGTERM");
          await proc;
        },
      };
    }
    proc.kill("SIGKILL");
    const r = await proc;
    if (attempt >= 2)
      throw new Error(`${what} did not start on 127.0.0.1:${port}:\n${String(r.stdout)}${String(r.stderr)}`);
  }
}

/** The CNCF distribution registry on 127.0.0.1, storing in a temp dir, plain HTTP, no auth. */
export async function startRegistry(): Promise<{ host: string; stop(): Promise<void> }> {
  const bin = toolPath("registry");
  const dir = tempDir("registry");
  const { port, stop } = await serveOnFreePort("registry", "/v2/", (port) => {
    const config = join(dir, `config-${port}.yml`);
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: test-only\n`,
    );
    return execa(bin, ["serve", config], { reject: false, env: { OTEL_TRACES_EXPORTER: "none" } });
  });
  return { host: `127.0.0.1:${port}`, stop };
}

export interface NpmRegistry {
  url: string;
  /** An npm user config (.npmrc) holding a token of a user created on this registry, allowed to publish. */
  userconfig: string;
  stop(): Promise<void>;
}

/**
 * Verdaccio on 127.0.0.1: storage in a temp dir, no uplinks (it serves only what is published to it), publishing
 * for authenticated users, and one throwaway user whose token is written to `userconfig`.
 */
export async function startNpmRegistry(): Promise<NpmRegistry> {
  const bin = toolPath("verdaccio");
  const dir = tempDir("verdaccio");
  const { port, stop } = await serveOnFreePort("verdaccio", "/-/ping", (port) => {
    const config = join(dir, `config-${port}.yaml`);
    writeFileSync(
      config,
      [
        `storage: ${join(dir, "storage")}`,
        "auth:",
        `  htpasswd: {file: ${join(dir, "htpasswd")}}`,
        "uplinks: {}",
        "packages:",
        "  '**': {access: $all, publish: $authenticated, unpublish: $authenticated}",
        `listen: 127.0.0.1:${port}`,
        "web: {enable: false}",
        "log: {type: stdout, format: pretty, level: warn}",
        "",
      ].join("\n"),
    );
    return execa(bin, ["--config", config], { reject: false });
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const userconfig = join(dir, `npmrc-${port}`);
    writeFileSync(userconfig, `//127.0.0.1:${port}/:_authToken=${await addUser(url)}\n`);
    return { url, userconfig, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Creates a user on the registry the way `npm adduser` does, and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = "release-test";
  const r = await fetch(`${url}/-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "test-only-password" }),
  });
  const body = (await r.json()) as { token?: string };
  if (r.status !== 201 || !body.token)
    throw new Error(`verdaccio refused to add a user: ${r.status} ${JSON.stringify(body)}`);
  return body.token;
}

async function ready(url: string, proc: ResultPromise): Promise<boolean> {
  let exited = false;
  void proc.finally(() => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The golden case the release tests install from a repository or registry. */
export const goldenCase = (): GoldenCase => goldenCases().find((c) => c.name === "02-three-tailnets")!;
/** helm template options that reproduce the golden case (after the chart reference). */
export const templateArgs = [
  "--namespace",
  GOLDEN_NAMESPACE,
  "--kube-version",
  GOLDEN_KUBE_VERSION,
  "-f",
  goldenCase().file,
];
/** The golden output as a packaged chart renders it: only the chart label's version differs. */
export const goldenAs = (version: string): string =>
  readFileSync(goldenCase().helmOut, "utf8").replaceAll("tailscale-egress-0.0.0-dev", `tailscale-egress-${version}`);
