// Validates Kubernetes manifests offline with the pinned kubeconform in STRICT mode (unknown fields and
// duplicate keys are errors) against the official OpenAPI schemas of two Kubernetes API levels:
//   "1.23"   - F5 XC virtual K8s (KUBE_F5XC_VERSION in tools/toolchain.env)
//   "latest" - the newest Kubernetes release pinned (KUBE_LATEST_VERSION)
// Both the binary and the schemas come from `bash tools/toolchain.sh kubeconform kube-schemas`; when
// either is missing or stale this throws, naming that command. It never skips and never uses the network
// (the only schema location is the local directory; kinds without a schema are errors).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { REPO_ROOT } from "../../tools/src/lib/paths.ts";
import { MissingToolError, TOOLS_DIR } from "../../tools/src/lib/toolpaths.ts";

export type KubeVersion = "1.23" | "latest";

export const INSTALL_COMMAND = "bash tools/toolchain.sh kubeconform kube-schemas";

export interface ResourceResult {
  readonly kind: string;
  readonly name: string;
  /** apiVersion of the resource, e.g. "apps/v1". */
  readonly apiVersion: string;
  readonly status: "valid" | "invalid" | "error" | "skipped" | "empty";
  readonly messages: readonly string[];
}

export interface ValidationResult {
  readonly ok: boolean;
  /** One line per problem: "<Kind>/<name> (<apiVersion>): <path>: <message>". */
  readonly errors: readonly string[];
  readonly resources: readonly ResourceResult[];
  /** The exact Kubernetes version validated against, e.g. "1.23.17". */
  readonly kubernetesVersion: string;
}

export class ToolchainMissingError extends MissingToolError {
  override readonly name = "ToolchainMissingError";
}

const ROOT = REPO_ROOT;

/** KEY=value lines of tools/toolchain.env (the pins tools/toolchain.sh sources). */
export function readToolchainEnv(path: string = join(ROOT, "tools/toolchain.env")): ReadonlyMap<string, string> {
  const env = new Map<string, string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) env.set(m[1], m[2].replace(/^(["'])(.*)\1$/, "$2"));
  }
  return env;
}

function pin(env: ReadonlyMap<string, string>, key: string): string {
  const v = env.get(key);
  if (v === undefined || v === "") throw new Error(`tools/toolchain.env has no ${key}`);
  return v;
}

/** The pinned release for an API level, without the leading "v" (kubeconform's -kubernetes-version). */
export function kubernetesVersionOf(kubeVersion: KubeVersion): string {
  const env = readToolchainEnv();
  const v = pin(env, kubeVersion === "1.23" ? "KUBE_F5XC_VERSION" : "KUBE_LATEST_VERSION");
  return v.replace(/^v/, "");
}

/** Same hash as kube_schema_dir in tools/toolchain.sh: the converter sources, in byte order. */
export function converterHash(): string {
  const dir = join(ROOT, "tools/src/kube");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(join(dir, f)));
  return h.digest("hex").slice(0, 16);
}

export interface KubeconformSetup {
  readonly bin: string;
  /** kubeconform -schema-location template pointing at .tools/kube-schemas/. */
  readonly schemaLocation: string;
  readonly kubernetesVersion: string;
  /** The directory holding this version's schemas. */
  readonly schemaDir: string;
}

/** Locates the pinned kubeconform and the schemas for one API level; throws if either is missing or stale. */
export function kubeconformSetup(kubeVersion: KubeVersion): KubeconformSetup {
  const env = readToolchainEnv();
  const tools = TOOLS_DIR;
  const bin = join(tools, "bin/kubeconform");
  const kcVersion = pin(env, "KUBECONFORM_VERSION");
  if (!existsSync(bin) || !existsSync(join(tools, "stamps", `kubeconform-${kcVersion}`))) {
    throw new ToolchainMissingError(
      `kubeconform ${kcVersion} is not installed in ${tools}/bin: run \`${INSTALL_COMMAND}\``,
    );
  }
  const kubernetesVersion = kubernetesVersionOf(kubeVersion);
  const schemaRoot = join(tools, "kube-schemas");
  const schemaDir = join(schemaRoot, `v${kubernetesVersion}-standalone-strict`);
  if (!existsSync(join(schemaDir, "_index.json"))) {
    throw new ToolchainMissingError(
      `the Kubernetes v${kubernetesVersion} schemas are missing (${schemaDir}): run \`${INSTALL_COMMAND}\``,
    );
  }
  if (!existsSync(join(tools, "stamps", `kube-schemas-v${kubernetesVersion}-${converterHash()}`))) {
    throw new ToolchainMissingError(
      `the Kubernetes v${kubernetesVersion} schemas are stale (tools/src/kube/ changed since they were generated): run \`${INSTALL_COMMAND}\``,
    );
  }
  return {
    bin,
    schemaLocation: `${schemaRoot}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    kubernetesVersion,
    schemaDir,
  };
}

// kubeconform -output json -verbose: { resources: [{ filename, kind, name, version, status, msg, validationErrors? }], summary }
interface RawResult {
  kind?: unknown;
  name?: unknown;
  version?: unknown;
  status?: unknown;
  msg?: unknown;
  validationErrors?: unknown;
}

const STATUS: Readonly<Record<string, ResourceResult["status"]>> = {
  statusValid: "valid",
  statusInvalid: "invalid",
  statusError: "error",
  statusSkipped: "skipped",
  statusEmpty: "empty",
};

function asString(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function parseResource(r: RawResult): ResourceResult {
  const status = STATUS[asString(r.status)];
  if (status === undefined) throw new Error(`kubeconform reported an unknown status ${JSON.stringify(r.status)}`);
  const messages: string[] = [];
  if (Array.isArray(r.validationErrors) && r.validationErrors.length > 0) {
    for (const e of r.validationErrors as unknown[]) {
      const o = (typeof e === "object" && e !== null ? e : {}) as { path?: unknown; msg?: unknown };
      messages.push(`${asString(o.path) || "/"}: ${asString(o.msg)}`);
    }
  } else if (asString(r.msg) !== "") {
    messages.push(asString(r.msg));
  }
  return { kind: asString(r.kind), name: asString(r.name), apiVersion: asString(r.version), status, messages };
}

/**
 * Validates every document of a multi-document YAML stream. ok is true only when kubeconform exits 0
 * and every resource is valid (or an empty document); a kind without a schema in that Kubernetes
 * version is an error, so an API that does not exist there fails.
 */
export async function validateManifests(yamlText: string, kubeVersion: KubeVersion): Promise<ValidationResult> {
  const setup = kubeconformSetup(kubeVersion);
  const args = [
    "-strict",
    "-summary",
    "-verbose",
    "-output",
    "json",
    "-kubernetes-version",
    setup.kubernetesVersion,
    "-schema-location",
    setup.schemaLocation,
    "-",
  ];
  const res = await execa(setup.bin, args, {
    input: yamlText,
    reject: false,
    timeout: 120_000,
    env: { HOME: process.env.HOME ?? "/tmp" },
    extendEnv: false,
  });
  let parsed: { resources?: unknown };
  try {
    parsed = JSON.parse(res.stdout) as { resources?: unknown };
  } catch {
    throw new Error(`kubeconform exited ${res.exitCode} without JSON output: ${res.stderr || res.stdout}`);
  }
  const resources = (Array.isArray(parsed.resources) ? (parsed.resources as RawResult[]) : []).map(parseResource);
  const errors: string[] = [];
  for (const r of resources) {
    if (r.status === "valid" || r.status === "empty") continue;
    const what = `${r.kind || "?"}/${r.name || "?"} (${r.apiVersion || "?"})`;
    if (r.messages.length === 0) errors.push(`${what}: ${r.status}`);
    for (const m of r.messages) errors.push(`${what}: ${m}`);
  }
  if (res.exitCode !== 0 && errors.length === 0) {
    errors.push(`kubeconform exited ${res.exitCode}: ${res.stderr.trim()}`);
  }
  // kubeconform validates with parallel workers, so its output order varies from run to run.
  errors.sort();
  return {
    ok: res.exitCode === 0 && errors.length === 0,
    errors,
    resources,
    kubernetesVersion: setup.kubernetesVersion,
  };
}
