// Runs the pinned Envoy (bash tools/toolchain.sh envoy) on the chart's rendered Envoy files.
//   validateEnvoy(files): `envoy --mode validate` on the bootstrap as rendered (LDS/CDS files in place) and
//     on the same bootstrap with the listeners and clusters inlined as static_resources, because validate
//     mode does not read the contents of file-based LDS/CDS (envoy issues #24663, #36289, #41822).
//   startEnvoy(files): boots Envoy on free loopback ports in a temp dir and returns a handle on its admin API.
// The only changes made to the files are those of remapForLocalRun() (./envoy-remap.ts). Reused by the e2e
// harness and benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { freeTcpPorts } from "./lab/ports.ts";
import { asUser } from "./lab/procs.ts";
import { removeTempDir, tempDir, userTempDir } from "./lab/tempdirs.ts";
import { join } from "node:path";
import { execa } from "execa";
import { toolPath } from "../lib/toolpaths.ts";
import type { Json, JsonObject } from "../lib/json.ts";
import { BOOTSTRAP_FILE, CDS_FILE, ENVOY_CONFIG_DIR, LDS_FILE, RDS_FILE } from "../plan/envoy.ts";
import { remapForLocalRun, type EnvoyFiles } from "./envoy-remap.ts";

// ---- cleanup of everything this module starts, even when a test fails or the worker exits -------------
// Its dirs are the lab's temp dirs (lab/tempdirs.ts), which go with the lab root at the latest.

interface EnvoyDir {
  dir: string;
  child?: ChildProcess;
}
const live = new Set<EnvoyDir>();
process.on("exit", () => {
  for (const r of live) if (r.child?.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
});

/** A temp dir for one Envoy, owned by `runAs` when given (Envoy writes its admin address there). */
function envoyDir(runAs?: StartOptions["runAs"]): { dir: string; entry: EnvoyDir; dispose(): void } {
  const entry: EnvoyDir = { dir: runAs ? userTempDir("envoy", runAs) : tempDir("envoy") };
  live.add(entry);
  return { dir: entry.dir, entry, dispose: () => (removeTempDir(entry.dir), live.delete(entry)) };
}

function writeFiles(dir: string, files: EnvoyFiles): void {
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(doc, null, 2));
}

let generation = 0;

/**
 * Writes files into dir the way kubelet updates a ConfigMap volume (its AtomicWriter): the new files go to a
 * fresh timestamped directory `..<ts>`, a symlink `..data_tmp` to it is renamed over `..data` (one atomic
 * rename, which Envoy's watched_directory sees), each file name is a symlink to `..data/<name>`, and the old
 * timestamped directory and stale file links are removed. Text files are written as given.
 */
export function writeAtomically(dir: string, files: Record<string, string>): void {
  const stamp = `..${new Date().toISOString().replace(/[-:.TZ]/g, "_")}${++generation}`;
  mkdirSync(join(dir, stamp));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, stamp, name), text);
  const dataLink = join(dir, "..data");
  const old = existsSync(dataLink) ? readlinkSync(dataLink) : undefined;
  symlinkSync(stamp, join(dir, "..data_tmp"));
  renameSync(join(dir, "..data_tmp"), dataLink);
  for (const name of Object.keys(files))
    if (!existsSync(join(dir, name))) symlinkSync(join("..data", name), join(dir, name));
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith("..") && !(entry in files)) rmSync(join(dir, entry), { force: true });
  }
  if (old !== undefined) rmSync(join(dir, old), { recursive: true, force: true });
}

const asText = (files: EnvoyFiles): Record<string, string> =>
  Object.fromEntries(Object.entries(files).map(([name, doc]) => [name, JSON.stringify(doc, null, 2)]));

/** The LDS file's listeners, or a static bootstrap's (static_resources) when there is no LDS file. */
const listenersOf = (files: EnvoyFiles): JsonObject[] =>
  (files[LDS_FILE]?.resources ??
    (files[BOOTSTRAP_FILE]?.static_resources as JsonObject | undefined)?.listeners ??
    []) as JsonObject[];
const clustersOf = (files: EnvoyFiles): JsonObject[] => (files[CDS_FILE]?.resources ?? []) as JsonObject[];
const portOf = (resource: JsonObject): number =>
  ((resource.address as JsonObject).socket_address as JsonObject).port_value as number;

// ---- validate mode --------------------------------------------------------------------------------------

export interface ValidateResult {
  name: "dynamic" | "static";
  exitCode: number;
  output: string;
}

/** Every HttpConnectionManager's `rds` replaced by its route configuration from the RDS file, inline. */
function inlineRoutes(node: Json, routes: JsonObject[]): Json {
  if (Array.isArray(node)) return node.map((v) => inlineRoutes(v, routes));
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "rds" && v !== null && typeof v === "object" && !Array.isArray(v)) {
      const name = (v as JsonObject).route_config_name;
      const found = routes.find((r) => r.name === name);
      if (!found) throw new Error(`no route configuration ${String(name)} in ${RDS_FILE}`);
      out.route_config = Object.fromEntries(Object.entries(found).filter(([key]) => key !== "@type"));
    } else out[k] = inlineRoutes(v, routes);
  }
  return out;
}

/** The bootstrap with LDS/CDS replaced by the same listeners and clusters as static_resources, RDS inline. */
export function inlineStatic(files: EnvoyFiles): JsonObject {
  const strip = (r: JsonObject): JsonObject => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "@type"));
  const { dynamic_resources: _dropped, ...rest } = files[BOOTSTRAP_FILE] as JsonObject;
  const routes = (files[RDS_FILE]?.resources ?? []) as JsonObject[];
  const listeners = listenersOf(files).map((l) => inlineRoutes(strip(l), routes) as JsonObject);
  return { ...rest, static_resources: { listeners, clusters: clustersOf(files).map(strip) } };
}

/** Runs `envoy --mode validate` on the rendered bootstrap and on its static equivalent. */
export async function validateEnvoy(rendered: EnvoyFiles): Promise<ValidateResult[]> {
  const envoy = toolPath("envoy");
  const tmp = envoyDir();
  try {
    const files = remapForLocalRun(rendered, { configDir: tmp.dir, ports: new Map() });
    writeFiles(tmp.dir, files);
    const staticFile = join(tmp.dir, "static.json");
    writeFileSync(staticFile, JSON.stringify(inlineStatic(files), null, 2));
    const run = async (name: ValidateResult["name"], config: string): Promise<ValidateResult> => {
      const r = await execa(envoy, ["--mode", "validate", "-c", config, "--use-dynamic-base-id", "-l", "warning"], {
        reject: false,
        all: true,
      });
      return { name, exitCode: r.exitCode ?? 1, output: r.all ?? "" };
    };
    return await Promise.all([run("dynamic", join(tmp.dir, BOOTSTRAP_FILE)), run("static", staticFile)]);
  } finally {
    tmp.dispose();
  }
}

// ---- a running Envoy ------------------------------------------------------------------------------------

export interface ListenerStatus {
  name: string;
  address: string;
  port: number;
}

export interface RunningEnvoy {
  adminUrl: string;
  pid: number;
  configDir: string;
  /** Rendered port -> local port, for every listener and the admin. */
  ports: ReadonlyMap<number, number>;
  /** The files as written to configDir (after remapForLocalRun). */
  files: EnvoyFiles;
  listeners(): Promise<ListenerStatus[]>;
  clusters(): Promise<string[]>;
  /** Counters and gauges whose names match the regex (Envoy's `filter` parameter). */
  stats(filter?: string): Promise<Record<string, number>>;
  /** Envoy's output so far. */
  log(): string;
  /**
   * kubelet's ConfigMap update: remaps `rendered` with the run's port map (plus `morePorts`) and swaps the
   * files in atomically (writeAtomically). Text files in `raw` are written unchanged (e.g. an invalid file).
   */
  swap(
    rendered: EnvoyFiles,
    opts?: { morePorts?: ReadonlyMap<number, number>; raw?: Record<string, string> },
  ): EnvoyFiles;
  /** Resolves when the process exits. */
  exited: Promise<void>;
  /** SIGTERM, as kubelet stops a container; resolves on exit (SIGKILL after graceMs). */
  terminate(graceMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra rendered port -> local port entries, e.g. tailnet proxy ports for an e2e run. */
  extraPorts?: ReadonlyMap<number, number>;
  logLevel?: string;
  timeoutMs?: number;
  /**
   * The whole rendered port -> local port map. Without it, listener ports are free loopback ports and the
   * admin port is 0. Ports missing from it are kept as rendered.
   */
  ports?: ReadonlyMap<number, number>;
  /** What 0.0.0.0 binds to (remapForLocalRun's wildcardTo). */
  wildcardTo?: string;
  /**
   * The Envoy container's rendered args. Only `--config-path <ENVOY_CONFIG_DIR>/<bootstrap>`, `--log-level
   * <level>` and `--concurrency <n>` are understood; anything else is an error, so a chart change cannot be
   * silently ignored.
   */
  containerArgs?: readonly string[];
  /** --drain-time-s (default 1). */
  drainTimeS?: number;
  /** Run Envoy as this uid/gid (the container's securityContext), through setpriv with no privileges. */
  runAs?: { uid: number; gid: number };
  /** --concurrency: worker threads (default: the container's --concurrency, else 1). */
  concurrency?: number;
}

export interface EnvoyArgs {
  configFile: string;
  logLevel: string | undefined;
  concurrency: number | undefined;
}

/** The understood Envoy container args; throws on anything else. */
export function parseEnvoyArgs(args: readonly string[]): EnvoyArgs {
  let configFile = BOOTSTRAP_FILE;
  let logLevel: string | undefined;
  let concurrency: number | undefined;
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined)
      throw new Error(
        `envoy container arg ${flag} has no value: the harness does not understand ${JSON.stringify(args)}`,
      );
    if (flag === "--config-path" && value.startsWith(`${ENVOY_CONFIG_DIR}/`))
      configFile = value.slice(ENVOY_CONFIG_DIR.length + 1);
    else if (flag === "--log-level") logLevel = value;
    else if (flag === "--concurrency" && /^[1-9][0-9]*$/.test(value)) concurrency = Number(value);
    else
      throw new Error(
        `envoy container arg ${flag} ${value} is not understood by the harness (tools/src/local/envoy.ts parseEnvoyArgs)`,
      );
  }
  return { configFile, logLevel, concurrency };
}

/**
 * n distinct free loopback ports, never the same twice in this process. The lab's allocator, so Envoy's
 * ports and the lab's (headscale, targets, containerboot) come from one registry and cannot collide.
 */
export const freePorts = freeTcpPorts;

export async function startEnvoy(rendered: EnvoyFiles, opts: StartOptions = {}): Promise<RunningEnvoy> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(rendered, opts);
    } catch (e) {
      // A port handed out by freePorts() can be taken by another process (e.g. a parallel test run) before Envoy
      // binds it: retry with new ports, twice.
      if (attempt >= 3 || !/address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(rendered: EnvoyFiles, opts: StartOptions): Promise<RunningEnvoy> {
  const envoy = toolPath("envoy");
  const listenerPorts = listenersOf(rendered).map(portOf);
  const adminPort = portOf(rendered[BOOTSTRAP_FILE]?.admin as JsonObject);
  const { configFile, logLevel, concurrency } = parseEnvoyArgs(
    opts.containerArgs ?? ["--config-path", `${ENVOY_CONFIG_DIR}/${BOOTSTRAP_FILE}`],
  );
  let ports: Map<number, number>;
  if (opts.ports) ports = new Map([...opts.ports, ...(opts.extraPorts ?? [])]);
  else {
    const local = await freePorts(listenerPorts.length);
    // Admin on port 0: Envoy picks a free one and writes it to --admin-address-path, so it cannot race.
    ports = new Map<number, number>([
      [adminPort, 0],
      ...listenerPorts.map((p, i) => [p, local[i]!] as const),
      ...(opts.extraPorts ?? []),
    ]);
  }
  const tmp = envoyDir(opts.runAs);
  const configDir = join(tmp.dir, "etc-envoy");
  mkdirSync(configDir);
  const remap = (r: EnvoyFiles, more: ReadonlyMap<number, number> = new Map()): EnvoyFiles => {
    for (const [k, v] of more) ports.set(k, v);
    return remapForLocalRun(r, { configDir, ports, ...(opts.wildcardTo ? { wildcardTo: opts.wildcardTo } : {}) });
  };
  const files = remap(rendered);
  writeAtomically(configDir, asText(files));
  const adminPath = join(tmp.dir, "admin-address");
  let output = "";
  // As in the pod: a non-root uid with no capabilities, which may write only its own dir (admin address).
  const run = asUser(opts.runAs, envoy, [
    "-c",
    join(configDir, configFile),
    "--use-dynamic-base-id", // parallel Envoys must not share hot-restart memory
    "--admin-address-path",
    adminPath,
    "--concurrency",
    String(opts.concurrency ?? concurrency ?? 1),
    "--drain-time-s",
    String(opts.drainTimeS ?? 1),
    "--parent-shutdown-time-s",
    String((opts.drainTimeS ?? 1) + 1),
    "-l",
    opts.logLevel ?? logLevel ?? "warning",
  ]);
  const child = spawn(run.command, run.args, { stdio: ["ignore", "pipe", "pipe"] });
  tmp.entry.child = child;
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const terminate = async (graceMs = 5000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killed = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (killed) child.kill("SIGKILL"), await exited;
    }
  };
  const stop = async (): Promise<void> => {
    await terminate();
    tmp.dispose();
  };

  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let adminUrl = "";
    const ready = async (): Promise<boolean> => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`envoy exited (${child.exitCode ?? child.signalCode})`);
      if (!adminUrl) {
        if (!existsSync(adminPath)) return false;
        const addr = readFileSync(adminPath, "utf8").trim();
        if (!addr) return false;
        adminUrl = `http://${addr}`;
      }
      const s = await statsOf(
        adminUrl,
        "^(listener_manager\\.(lds\\.update_(success|rejected|failure)|total_listeners_active)|cluster_manager\\.cds\\.update_(success|rejected|failure))$",
      );
      // A free port taken by another process in the meantime makes Envoy reject the LDS update: retry that
      // (startEnvoy does, once) rather than report the rejection as the config's fault.
      if (/address already in use/i.test(output)) throw new Error("a listener port was taken");
      if ((s["listener_manager.lds.update_rejected"] ?? 0) > 0 || (s["cluster_manager.cds.update_rejected"] ?? 0) > 0)
        return true;
      if (!files[BOOTSTRAP_FILE]?.dynamic_resources)
        return s["listener_manager.total_listeners_active"] === listenerPorts.length; // static bootstrap
      return (
        (s["listener_manager.lds.update_success"] ?? 0) >= 1 &&
        (s["cluster_manager.cds.update_success"] ?? 0) >= 1 &&
        s["listener_manager.total_listeners_active"] === listenerPorts.length
      );
    };
    while (!(await ready())) {
      if (Date.now() > deadline) throw new Error(`envoy not ready after ${opts.timeoutMs ?? 60_000} ms`);
      await sleep(100);
    }
    return {
      adminUrl,
      pid: child.pid ?? -1,
      configDir,
      ports,
      files,
      swap: (r, o = {}) => {
        const next = remap(r, o.morePorts);
        writeAtomically(configDir, { ...asText(next), ...(o.raw ?? {}) });
        return next;
      },
      exited,
      terminate,
      listeners: async () => listenerStatuses(adminUrl),
      clusters: async () => clusterNames(adminUrl),
      stats: async (filter) => statsOf(adminUrl, filter),
      log: () => output,
      stop,
    };
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- envoy output ---\n${output.slice(-4000)}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function adminGet(adminUrl: string, path: string): Promise<unknown> {
  const res = await fetch(`${adminUrl}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res.json();
}

async function statsOf(adminUrl: string, filter?: string): Promise<Record<string, number>> {
  const q = `/stats?format=json${filter ? `&filter=${encodeURIComponent(filter)}` : ""}`;
  const body = (await adminGet(adminUrl, q)) as { stats: { name?: string; value?: number }[] };
  return Object.fromEntries(
    body.stats.filter((s) => s.name !== undefined && typeof s.value === "number").map((s) => [s.name!, s.value!]),
  );
}

async function listenerStatuses(adminUrl: string): Promise<ListenerStatus[]> {
  type Status = { name: string; local_address: { socket_address: { address: string; port_value: number } } };
  const body = (await adminGet(adminUrl, "/listeners?format=json")) as { listener_statuses?: Status[] };
  return (body.listener_statuses ?? []).map((l) => ({
    name: l.name,
    address: l.local_address.socket_address.address,
    port: l.local_address.socket_address.port_value,
  }));
}

async function clusterNames(adminUrl: string): Promise<string[]> {
  const body = (await adminGet(adminUrl, "/clusters?format=json")) as { cluster_statuses?: { name: string }[] };
  return (body.cluster_statuses ?? []).map((c) => c.name);
}
