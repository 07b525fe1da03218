// Runs the real containerboot binary as a tailscale container of the pod would, from the container
// env map of a rendered manifest. The container runs in a sandbox (see sandbox.ts): PID 1 of its own
// PID namespace, private /run, its own fresh /tmp per start. PATH points at .tools/bin so it finds
// tailscaled and tailscale. The lab adds only loopback-keeping tailscaled env (tsenv.ts) and, with
// `kube`, what a kubelet provides: KUBERNETES_SERVICE_HOST/PORT(_HTTPS), the service-account dir at
// /var/run/secrets/kubernetes.io/serviceaccount and (via /etc/hosts) kubernetes.default.svc.
//
// State: TS_KUBE_SECRET (with `kube`) lives in a Secret of the real kube-apiserver (kube/controlplane.ts)
// and so survives restart().
// TS_STATE_DIR survives restart() only if it is on a `volumes` entry, like an emptyDir in a pod;
// otherwise it sits in the container's /tmp-backed writable area and is lost, as in a real
// container restart.
import fs from "node:fs";
import path from "node:path";
import { binPath, TOOLS_BIN } from "./bins.ts";
import type { KubeEndpoint } from "../kube/access.ts";
import { descendantNamed } from "./proctree.ts";
import { asUser, startProcess, waitFor, type ExitInfo, type Proc } from "./procs.ts";
import { LAB_HOSTS } from "./sandbox.ts";
import { tempDir } from "./tempdirs.ts";
import { LAB_TAILSCALE_ENV } from "./tsenv.ts";
import { runningStatus, tailscaleStatus, type TailscaleStatus } from "./tsstatus.ts";

export const SERVICE_ACCOUNT_PATH = "/run/secrets/kubernetes.io/serviceaccount"; // /var/run -> /run

export interface ContainerbootOptions {
  /** Container name, e.g. "ts-a"; used for dirs and logs. */
  name: string;
  /** The container's env exactly as rendered in the manifest. */
  env: Readonly<Record<string, string>>;
  /** Run "in cluster" against this kube-apiserver (kube/access.ts; needed for TS_KUBE_SECRET). */
  kube?: KubeEndpoint;
  /** Container paths (under /tmp or /run) backed by host dirs that persist across restart(). */
  volumes?: readonly string[];
  /** How long start()/restart() wait for readiness (default 90 s). */
  readyTimeoutMs?: number;
  /** false: return as soon as the process started, without waiting for readiness (default true). */
  waitReady?: boolean;
  /** With `kube`: false leaves the service-account directory unmounted, like a pod without its token
   * volume, while KUBERNETES_SERVICE_* still point at the API (default true). */
  mountServiceAccount?: boolean;
  /** The container's command (e.g. the chart's /bin/sh -c loop); default: containerboot itself. */
  command?: readonly string[];
  /** Run as this non-root uid/gid (setpriv, no_new_privs, no capabilities), like a securityContext. */
  runAs?: { uid: number; gid: number };
  /**
   * true (default): the lab's loopback-only tailscaled env (tsenv.ts) and no DNS. false: a real tailnet, so
   * no lab env and the host's /etc/resolv.conf (control servers and DERP are reached normally).
   */
  labNetwork?: boolean;
}

export interface Containerboot {
  readonly name: string;
  /** Effective env given to containerboot (manifest env + lab additions). */
  readonly env: Readonly<Record<string, string>>;
  /** Host path of TS_SOCKET, usable with `tailscale --socket`. */
  socketPath(): string;
  /** Host dir backing a container path (volume or the current /tmp). */
  hostPath(containerPath: string): string;
  /** HTTP proxy port from TS_OUTBOUND_HTTP_PROXY_LISTEN, if set. */
  readonly proxyPort: number | undefined;
  /** http://host:port/healthz when TS_ENABLE_HEALTH_CHECK=true. */
  readonly healthUrl: string | undefined;
  /** Current process (changes on restart). */
  proc(): Proc;
  starts(): number;
  status(): Promise<TailscaleStatus>;
  /** Wait until Running with a tailnet IP (and /healthz 200 when enabled). */
  waitReady(timeoutMs?: number): Promise<TailscaleStatus>;
  /** SIGTERM containerboot (it shuts tailscaled down), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** SIGKILL the container (its whole process group); its PID namespace takes tailscaled with it. */
  kill(): Promise<ExitInfo>;
  /** SIGKILL only the containerboot process inside the running container, as a crash would; the chart's
   * loop (files/containerboot-loop.sh) restarts it in place. Returns its host pid. */
  killContainerboot(): number;
  /** Start again after stop()/kill() (or stop first if running) and wait until ready. */
  restart(opts?: { kill?: boolean }): Promise<TailscaleStatus>;
}

function splitHostPort(addr: string): { host: string; port: number } {
  const m = addr.match(/^\[?([^\]]*)\]?:(\d+)$/);
  if (!m) throw new Error(`not host:port: ${addr}`);
  return { host: m[1] ?? "", port: Number(m[2]) };
}

export async function startContainerboot(opts: ContainerbootOptions): Promise<Containerboot> {
  binPath("containerboot");
  binPath("tailscaled");
  binPath("tailscale");
  const dir = tempDir(`containerboot-${opts.name}`);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  const volumes = new Map<string, string>();
  for (const v of opts.volumes ?? []) {
    const host = path.join(dir, "volumes", v.replace(/[^A-Za-z0-9_.-]/g, "_"));
    fs.mkdirSync(host, { recursive: true });
    volumes.set(v, host);
  }

  const labNetwork = opts.labNetwork ?? true;
  if (opts.runAs) {
    for (const host of volumes.values()) fs.chownSync(host, opts.runAs.uid, opts.runAs.gid);
  }
  const env: Record<string, string> = {
    ...(labNetwork ? LAB_TAILSCALE_ENV : {}),
    ...opts.env,
    PATH: `${TOOLS_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: "/tmp",
  };
  const binds: Record<string, string> = Object.fromEntries(volumes);
  let etcHosts: string | undefined;
  if (opts.kube) {
    env.KUBERNETES_SERVICE_HOST = opts.kube.host;
    env.KUBERNETES_SERVICE_PORT = String(opts.kube.port);
    env.KUBERNETES_SERVICE_PORT_HTTPS = String(opts.kube.port);
    if (opts.mountServiceAccount ?? true) binds[SERVICE_ACCOUNT_PATH] = opts.kube.serviceAccountDir;
    if (opts.kube.port !== 443) env.TS_KUBERNETES_READ_API_SERVER_ADDRESS_FROM_ENV = "true";
    etcHosts = path.join(dir, "hosts");
    fs.writeFileSync(etcHosts, `${LAB_HOSTS}${opts.kube.host} kubernetes.default.svc kubernetes.default kubernetes\n`);
  }

  const socketInContainer = env.TS_SOCKET ?? "/tmp/tailscaled.sock";
  const proxyAddr = env.TS_OUTBOUND_HTTP_PROXY_LISTEN;
  const proxyPort = proxyAddr ? splitHostPort(proxyAddr).port : undefined;
  const healthEnabled = env.TS_ENABLE_HEALTH_CHECK === "true" || env.TS_ENABLE_HEALTH_CHECK === "1";
  const healthUrl = healthEnabled
    ? (() => {
        const { host, port } = splitHostPort(env.TS_LOCAL_ADDR_PORT ?? "[::]:9002");
        const h =
          host === "" || host === "::" || host === "0.0.0.0" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
        return `http://${h}:${port}/healthz`;
      })()
    : undefined;

  let gen = 0;
  let tmpHost = "";
  let current: Proc | undefined;

  const hostPath = (pathInContainer: string): string => {
    // /var/run is a symlink to /run in the sandbox's root file system, as in the tailscale image.
    const containerPath =
      pathInContainer === "/var/run" || pathInContainer.startsWith("/var/run/")
        ? pathInContainer.slice("/var".length)
        : pathInContainer;
    for (const [cpath, hpath] of volumes) {
      if (containerPath === cpath || containerPath.startsWith(`${cpath}/`))
        return hpath + containerPath.slice(cpath.length);
    }
    if (containerPath === "/tmp" || containerPath.startsWith("/tmp/"))
      return tmpHost + containerPath.slice("/tmp".length);
    throw new Error(`${containerPath} is not reachable from the host: put it under /tmp or declare it in volumes`);
  };
  const socketPath = (): string => hostPath(socketInContainer);

  const launch = (): Proc => {
    gen++;
    tmpHost = path.join(dir, `run${gen}`, "tmp");
    fs.mkdirSync(tmpHost, { recursive: true, mode: 0o1777 });
    const [cmd, ...cmdArgs] = opts.command?.length ? opts.command : [binPath("containerboot")];
    const run = asUser(opts.runAs, cmd as string, cmdArgs);
    const sandbox = {
      tmpDir: tmpHost,
      binds,
      ...(etcHosts === undefined ? {} : { etcHosts }),
      ...(labNetwork ? {} : { resolvConf: "/etc/resolv.conf" }),
    };
    current = startProcess({
      name: `containerboot-${opts.name}`,
      command: run.command,
      args: run.args,
      env,
      logDir: dir,
      cwd: dir,
      sandbox,
    });
    return current;
  };

  const proc = (): Proc => {
    if (current === undefined) throw new Error("not started");
    return current;
  };

  const waitReady = async (timeoutMs = readyTimeoutMs): Promise<TailscaleStatus> => {
    const p = proc();
    const st = await waitFor(`containerboot ${opts.name} Running`, timeoutMs, async () => {
      if (!p.running()) throw new Error(`containerboot ${opts.name} exited:\n${p.log()}`);
      return runningStatus(socketPath()).catch(() => undefined);
    });
    if (healthUrl !== undefined) {
      await waitFor(`containerboot ${opts.name} ${healthUrl}`, timeoutMs, async () => {
        const r = await fetch(healthUrl).catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      });
    }
    if (proxyPort !== undefined) {
      await waitFor(`containerboot ${opts.name} proxy :${proxyPort}`, timeoutMs, async () => {
        const { isListening } = await import("./ports.ts");
        return (await isListening(proxyPort)) ? true : undefined;
      });
    }
    return st;
  };

  // SIGTERM reaches the container's process group: containerboot or the chart's loop (PID 1 of its namespace,
  // which forwards it to containerboot), like a kubelet's stop; containerboot then shuts tailscaled down
  // itself. SIGKILL after graceMs.
  const stopProc = (graceMs = 20_000): Promise<ExitInfo> => proc().stop(graceMs);

  launch();
  if (opts.waitReady ?? true) await waitReady();

  return {
    name: opts.name,
    env,
    socketPath,
    hostPath,
    proxyPort,
    healthUrl,
    proc,
    starts: () => gen,
    status: () => tailscaleStatus(socketPath()),
    waitReady,
    stop: stopProc,
    kill: () => proc().kill(),
    killContainerboot: () => {
      const pid = descendantNamed(proc().pid, "containerboot");
      process.kill(pid, "SIGKILL");
      return pid;
    },
    restart: async (r = {}) => {
      if (proc().running()) {
        if (r.kill) await proc().kill();
        else await stopProc();
      }
      launch();
      return waitReady();
    },
  };
}
