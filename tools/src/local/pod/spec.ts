// Reads the pod of the RENDERED manifests (helm template output) into what a local run needs: the Envoy
// container's args, files, probes and preStop, and per Tailscale container its command, env, probes, preStop
// and user. It resolves only what kubelet resolves: secretKeyRef (from the rendered Secrets, or Secrets the
// caller supplies for existingSecret), fieldRef metadata.name (POD_NAME) and $(VAR) references. Everything
// else is taken as rendered.
//
// The harness must not silently ignore a chart change, so every field, env name, volume and probe handler it
// meets must be in the UNDERSTOOD lists below; anything else is an error naming it. Update the list (and the
// harness) when the chart changes.
//
// remapPodForLocalRun() is the ONE place where the pod's containers are changed to run on this machine
// (Envoy's files: tools/src/local/envoy-remap.ts).
import fs from "node:fs";
import { envoyFiles, findOne, type Manifest } from "../../helm/manifests.ts";
import { ENVOY_CONFIGMAPS } from "../../plan/configmap.ts";
import { repoPath } from "../../lib/paths.ts";
import type { EnvoyFiles } from "../envoy-remap.ts";

/** Container fields the harness understands (image, pull policy and resources are not used locally). */
export const UNDERSTOOD_CONTAINER_FIELDS = [
  "name",
  "image",
  "imagePullPolicy",
  "command",
  "args",
  "env",
  "securityContext",
  "resources",
  "ports",
  "startupProbe",
  "readinessProbe",
  "livenessProbe",
  "lifecycle",
  "volumeMounts",
] as const;

/** Env of the Tailscale containers: name -> how the harness treats it. */
export const UNDERSTOOD_TS_ENV: Readonly<
  Record<string, "fieldRef:metadata.name" | "secretKeyRef" | "value" | "port" | "path">
> = {
  POD_NAME: "fieldRef:metadata.name",
  TS_AUTHKEY: "secretKeyRef",
  // OAuth client credentials (tailnets[].oauth), instead of TS_AUTHKEY: containerboot mints keys with them.
  TS_CLIENT_ID: "secretKeyRef",
  TS_CLIENT_SECRET: "secretKeyRef",
  TS_USERSPACE: "value",
  TS_AUTH_ONCE: "value",
  TS_KUBE_SECRET: "value",
  TS_STATE_DIR: "path",
  TS_SOCKET: "path",
  TS_HOSTNAME: "value",
  TS_OUTBOUND_HTTP_PROXY_LISTEN: "port",
  TS_ACCEPT_DNS: "value",
  TS_EXTRA_ARGS: "value",
  TS_ENABLE_HEALTH_CHECK: "value",
  TS_ENABLE_METRICS: "value",
  TS_LOCAL_ADDR_PORT: "port",
};

export const UNDERSTOOD_PROBE_FIELDS = ["httpGet", "periodSeconds", "timeoutSeconds", "failureThreshold"] as const;
/** The chart's site-name prelude: exports TS_HOSTNAME with the F5 XC site name. */
const SITE_PRELUDE = 'export TS_HOSTNAME="[^"\\n]*"\\n';
/** The chart's kubeSecret prelude: one line on stderr and, without an API token, TS_KUBE_SECRET emptied (node
 * state in TS_STATE_DIR). */
const ECHO_LINE = '  echo "(?:[^"\\n`$\\\\]|\\$[A-Z_]+)*" >&2\\n'; // text and $VARS only: no substitution
const KUBE_PRELUDE = [
  "if \\[ -s /var/run/secrets/kubernetes\\.io/serviceaccount/token \\]; then\\n",
  ECHO_LINE,
  "else\\n",
  ECHO_LINE,
  "  export TS_KUBE_SECRET=\\n",
  "fi\\n",
].join("");

/** files/containerboot-loop.sh as the chart renders it: its comment lines dropped. */
export function containerbootLoop(): string {
  return fs
    .readFileSync(repoPath("files/containerboot-loop.sh"), "utf8")
    .replace(/^[ \t]*#.*\n/gm, "")
    .replace(/\n$/, "");
}

/** What a Tailscale container's script may hold before the loop: the site-name and kubeSecret preludes. */
export const PRELUDE = new RegExp(`^(?:${SITE_PRELUDE})?(?:${KUBE_PRELUDE})?$`);

/** The parts of a Tailscale container's script (/bin/sh -c <script> ts-<tailnet>): the preludes, then the
 * loop exactly as in files/containerboot-loop.sh; undefined when it is anything else. */
export function splitTailscaleScript(script: string): { prelude: string; loop: string } | undefined {
  const loop = containerbootLoop();
  if (!script.endsWith(loop)) return undefined;
  const prelude = script.slice(0, script.length - loop.length);
  return PRELUDE.test(prelude) ? { prelude, loop } : undefined;
}
export const ENVOY_MOUNT = "/etc/envoy";
export const TS_RUN_MOUNT = "/var/run";
export const SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface Probe {
  kind: "startup" | "readiness" | "liveness";
  path: string;
  port: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export type PreStop = { exec: string[] } | { httpGet: { path: string; port: number } };

export interface RunAs {
  uid: number;
  gid: number;
}

export interface TailscaleContainer {
  name: string;
  tailnet: string;
  /** The chart's command: /bin/sh -c <preludes + files/containerboot-loop.sh> ts-<tailnet>. */
  command: string[];
  /** Resolved env, in manifest order. */
  env: Record<string, string>;
  probes: Probe[];
  preStop: PreStop;
  runAs: RunAs | undefined;
  /** Volume mount paths (the service-account mount is reported as kubeApi). */
  mounts: string[];
  kubeApi: boolean;
}

export interface EnvoyContainer {
  args: string[];
  probes: Probe[];
  preStop: PreStop;
  runAs: RunAs | undefined;
  files: EnvoyFiles;
}

export interface LocalPod {
  podName: string;
  envoy: EnvoyContainer;
  tailscale: TailscaleContainer[];
  terminationGracePeriodSeconds: number;
}

export interface ReadPodOptions {
  /** Ordinal 0 of the StatefulSet by default: <name>-0. */
  podName?: string;
  /** Secrets that are not rendered (existingSecret): name -> key -> value. */
  secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown, what: string): Obj => {
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Error(`${what}: expected an object, got ${JSON.stringify(v)}`);
  return v as Obj;
};

function onlyKnown(o: Obj, known: readonly string[], what: string): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length)
    throw new Error(
      `${what}: field(s) ${unknown.join(", ")} not understood by the e2e pod harness (tools/src/local/pod/spec.ts)`,
    );
}

/** kubelet's $(VAR) expansion: references to earlier env entries expand, $$ is a literal $, others stay. */
export function expandVars(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? "$" : (env[name] ?? m),
  );
}

function renderedSecrets(manifests: Manifest[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    manifests
      .filter((m) => m.kind === "Secret")
      .map((m) => {
        const data = Object.entries((m.data ?? {}) as Record<string, string>).map(([k, v]) => [
          k,
          Buffer.from(v, "base64").toString(),
        ]);
        const stringData = Object.entries((m.stringData ?? {}) as Record<string, string>);
        return [m.metadata.name, Object.fromEntries([...data, ...stringData])];
      }),
  );
}

function readProbes(c: Obj, what: string): Probe[] {
  const probes: Probe[] = [];
  for (const kind of ["startup", "readiness", "liveness"] as const) {
    const p = c[`${kind}Probe`];
    if (p === undefined) continue;
    const probe = obj(p, `${what} ${kind}Probe`);
    onlyKnown(probe, UNDERSTOOD_PROBE_FIELDS, `${what} ${kind}Probe`);
    const get = obj(probe.httpGet, `${what} ${kind}Probe.httpGet (only httpGet probes are understood)`);
    onlyKnown(get, ["path", "port"], `${what} ${kind}Probe.httpGet`);
    if (typeof get.port !== "number")
      throw new Error(`${what} ${kind}Probe: only numeric ports are understood, got ${JSON.stringify(get.port)}`);
    probes.push({
      kind,
      path: String(get.path),
      port: get.port,
      periodSeconds: Number(probe.periodSeconds ?? 10),
      timeoutSeconds: Number(probe.timeoutSeconds ?? 1),
      failureThreshold: Number(probe.failureThreshold ?? 3),
    });
  }
  return probes;
}

function readPreStop(c: Obj, what: string): PreStop {
  const lifecycle = obj(c.lifecycle, `${what} lifecycle`);
  onlyKnown(lifecycle, ["preStop"], `${what} lifecycle`);
  const pre = obj(lifecycle.preStop, `${what} lifecycle.preStop`);
  onlyKnown(pre, ["exec", "httpGet"], `${what} lifecycle.preStop`);
  if (pre.exec !== undefined) {
    const exec = obj(pre.exec, `${what} preStop.exec`);
    onlyKnown(exec, ["command"], `${what} preStop.exec`);
    return { exec: (exec.command as unknown[]).map(String) };
  }
  const get = obj(pre.httpGet, `${what} preStop.httpGet`);
  onlyKnown(get, ["path", "port"], `${what} preStop.httpGet`);
  return { httpGet: { path: String(get.path), port: Number(get.port) } };
}

function runAsOf(pod: Obj, c: Obj): RunAs | undefined {
  const podSc = (pod.securityContext ?? {}) as Obj;
  const sc = (c.securityContext ?? {}) as Obj;
  const uid = (sc.runAsUser ?? podSc.runAsUser) as number | undefined;
  const gid = (sc.runAsGroup ?? podSc.runAsGroup ?? uid) as number | undefined;
  return uid === undefined ? undefined : { uid, gid: gid ?? uid };
}

function mountsOf(c: Obj, what: string): { name: string; mountPath: string }[] {
  return ((c.volumeMounts ?? []) as Obj[]).map((m) => {
    onlyKnown(m, ["name", "mountPath", "readOnly"], `${what} volumeMount`);
    return { name: String(m.name), mountPath: String(m.mountPath) };
  });
}

/** The Envoy config volume: exactly the chart's Envoy ConfigMaps, whole, projected into one directory. */
function isEnvoyProjection(v: Obj, fullname: string): boolean {
  const sources = ((v.projected as Obj | undefined)?.sources ?? []) as Obj[];
  const names = sources.map((src) => JSON.stringify(src));
  const want = ENVOY_CONFIGMAPS.map((c) => JSON.stringify({ configMap: { name: `${fullname}-${c.suffix}` } }));
  return Object.keys(v.projected as Obj).join() === "sources" && names.join() === want.join();
}

export function readPod(manifests: Manifest[], opts: ReadPodOptions = {}): LocalPod {
  const sts = findOne(manifests, "StatefulSet");
  const podName = opts.podName ?? `${sts.metadata.name}-0`;
  const template = obj(obj(sts.spec, "StatefulSet spec").template, "pod template");
  const pod = obj(template.spec, "pod spec");
  const secrets = { ...renderedSecrets(manifests), ...(opts.secrets ?? {}) };
  for (const v of (pod.volumes ?? []) as Obj[]) {
    const kinds = Object.keys(v).filter((k) => k !== "name");
    const ok =
      (v.name === "envoy-config" && kinds.join() === "projected" && isEnvoyProjection(v, sts.metadata.name)) ||
      (String(v.name).endsWith("-run") && kinds.join() === "emptyDir") ||
      (v.name === "kube-api-access" && kinds.join() === "projected");
    if (!ok) throw new Error(`pod volume ${JSON.stringify(v)} not understood by the e2e pod harness`);
  }
  const containers = (pod.containers ?? []) as Obj[];
  if (pod.initContainers !== undefined) throw new Error("initContainers are not understood by the e2e pod harness");
  let envoy: EnvoyContainer | undefined;
  const tailscale: TailscaleContainer[] = [];
  for (const c of containers) {
    const name = String(c.name);
    const what = `container ${name}`;
    onlyKnown(c, UNDERSTOOD_CONTAINER_FIELDS, what);
    const mounts = mountsOf(c, what);
    if (name === "envoy") {
      if (c.env !== undefined || c.command !== undefined)
        throw new Error(`${what}: env/command not understood by the e2e pod harness`);
      if (mounts.length !== 1 || mounts[0]?.mountPath !== ENVOY_MOUNT || mounts[0]?.name !== "envoy-config")
        throw new Error(`${what}: mounts ${JSON.stringify(mounts)} not understood`);
      envoy = {
        args: ((c.args ?? []) as unknown[]).map(String),
        probes: readProbes(c, what),
        preStop: readPreStop(c, what),
        runAs: runAsOf(pod, c),
        files: envoyFiles(manifests),
      };
      continue;
    }
    if (!name.startsWith("ts-"))
      throw new Error(`${what}: not understood by the e2e pod harness (expected envoy or ts-<tailnet>)`);
    if (c.args !== undefined) throw new Error(`${what}: args not understood by the e2e pod harness`);
    const command = ((c.command ?? []) as unknown[]).map(String);
    if (
      command.length !== 4 ||
      command[0] !== "/bin/sh" ||
      command[1] !== "-c" ||
      splitTailscaleScript(command[2] ?? "") === undefined ||
      command[3] !== name
    ) {
      throw new Error(
        `${what}: command ${JSON.stringify(command)} not understood by the e2e pod harness (expected /bin/sh -c, the site-name and kube-state preludes, files/containerboot-loop.sh, ${name})`,
      );
    }
    const env: Record<string, string> = {};
    for (const e of (c.env ?? []) as Obj[]) {
      const envName = String(e.name);
      const how = UNDERSTOOD_TS_ENV[envName];
      if (how === undefined)
        throw new Error(
          `${what}: env ${envName} not understood by the e2e pod harness (tools/src/local/pod/spec.ts UNDERSTOOD_TS_ENV)`,
        );
      onlyKnown(e, ["name", "value", "valueFrom"], `${what} env ${envName}`);
      if (how === "fieldRef:metadata.name") {
        if ((obj(obj(e.valueFrom, envName).fieldRef, envName).fieldPath as string) !== "metadata.name")
          throw new Error(`${what} env ${envName}: only fieldRef metadata.name is understood`);
        env[envName] = podName;
      } else if (how === "secretKeyRef") {
        const ref = obj(obj(e.valueFrom, envName).secretKeyRef, `${envName}.secretKeyRef`);
        const value = secrets[String(ref.name)]?.[String(ref.key)];
        if (value === undefined)
          throw new Error(
            `${what} env ${envName}: Secret ${String(ref.name)} key ${String(ref.key)} is neither rendered nor supplied (ReadPodOptions.secrets)`,
          );
        env[envName] = value;
      } else {
        if (e.valueFrom !== undefined) throw new Error(`${what} env ${envName}: valueFrom not understood`);
        env[envName] = expandVars(String(e.value ?? ""), env);
      }
    }
    const kubeApi = mounts.some((m) => m.name === "kube-api-access" && m.mountPath === SERVICE_ACCOUNT_MOUNT);
    const other = mounts.filter((m) => !(m.name === "kube-api-access" && m.mountPath === SERVICE_ACCOUNT_MOUNT));
    if (other.length !== 1 || other[0]?.mountPath !== TS_RUN_MOUNT || other[0]?.name !== `${name}-run`)
      throw new Error(`${what}: mounts ${JSON.stringify(mounts)} not understood`);
    tailscale.push({
      name,
      tailnet: name.slice(3),
      command,
      env,
      probes: readProbes(c, what),
      preStop: readPreStop(c, what),
      runAs: runAsOf(pod, c),
      mounts: other.map((m) => m.mountPath),
      kubeApi,
    });
  }
  if (!envoy) throw new Error("the rendered pod has no envoy container");
  return { podName, envoy, tailscale, terminationGracePeriodSeconds: Number(pod.terminationGracePeriodSeconds ?? 30) };
}

// ---- the ONE remap of the pod's containers for a local run ----------------------------------------------

export interface PodRemap {
  /** Rendered port -> local port. Ports not in the map stay as rendered. */
  ports: ReadonlyMap<number, number>;
}

/** Mount paths in the sandbox: /var/run is a symlink to /run in the root file system the sandbox shares. */
const SANDBOX_PATHS: Readonly<Record<string, string>> = { [TS_RUN_MOUNT]: "/run" };

/**
 * Changes exactly: the port of TS_OUTBOUND_HTTP_PROXY_LISTEN and TS_LOCAL_ADDR_PORT (host kept), every
 * probe's and httpGet preStop's port, every `127.0.0.1:<port>` in an exec preStop, and the emptyDir mount
 * path (/var/run -> /run, the same directory in the sandbox). Env values, commands, paths in env and
 * everything else stay as rendered.
 */
export function remapPodForLocalRun(pod: LocalPod, run: PodRemap): LocalPod {
  const port = (p: number): number => run.ports.get(p) ?? p;
  const hostPort = (v: string): string => v.replace(/:(\d+)$/, (_m, p: string) => `:${port(Number(p))}`);
  const probes = (ps: Probe[]): Probe[] => ps.map((p) => ({ ...p, port: port(p.port) }));
  const preStop = (p: PreStop): PreStop =>
    "exec" in p
      ? { exec: p.exec.map((a) => a.replace(/127\.0\.0\.1:(\d+)/g, (_m, n: string) => `127.0.0.1:${port(Number(n))}`)) }
      : { httpGet: { ...p.httpGet, port: port(p.httpGet.port) } };
  return {
    ...pod,
    envoy: { ...pod.envoy, probes: probes(pod.envoy.probes), preStop: preStop(pod.envoy.preStop) },
    tailscale: pod.tailscale.map((c) => ({
      ...c,
      env: Object.fromEntries(
        Object.entries(c.env).map(([k, v]) => [k, UNDERSTOOD_TS_ENV[k] === "port" ? hostPort(v) : v]),
      ),
      probes: probes(c.probes),
      preStop: preStop(c.preStop),
      mounts: c.mounts.map((m) => SANDBOX_PATHS[m] ?? m),
    })),
  };
}
