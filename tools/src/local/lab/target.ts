// A "target node" in one tailnet: a userspace tailscaled (own state dir + socket) logged into that
// tailnet's headscale, plus loopback echo servers behind it. In userspace mode tailscaled dials
// 127.0.0.1:<port> for inbound tailnet TCP to <its tailnet IP>:<port>, so each echo server's port
// is also the port to use on the target's tailnet IP / MagicDNS name.
//
// Ports: `port` is a tagged echo (reply = "<hostname>:" + sent bytes) and `exactPort` a plain echo.
// Because the echo servers listen on the host's shared loopback, a port identifies a target only
// together with its tailnet address; use the tagged port to prove which target answered.
import path from "node:path";
import { binPath } from "./bins.ts";
import { startEchoServer, type EchoServer } from "./echo.ts";
import type { Headscale } from "./headscale.ts";
import { runCommand, startProcess, waitFor, type Proc } from "./procs.ts";
import { tempDir } from "./tempdirs.ts";
import { LAB_TAILSCALE_ENV } from "./tsenv.ts";
import { runningStatus, tailscaleStatus, type TailscaleStatus } from "./tsstatus.ts";

export interface TargetOptions {
  /** Tailscale hostname (and echo tag), e.g. "target-a". */
  hostname: string;
  headscale: Headscale;
  /** Auth key; default the headscale's reusable key. */
  authKey?: string;
  timeoutMs?: number;
}

export interface Target {
  readonly hostname: string;
  readonly tailnet: string;
  readonly ipv4: string;
  readonly ipv6: string | undefined;
  /** Full MagicDNS name without trailing dot, e.g. target-a.a.lab.test */
  readonly magicDNSName: string;
  /** Tagged echo port (reply = "<hostname>:" + sent). */
  readonly port: number;
  /** Exact echo port (reply = sent). */
  readonly exactPort: number;
  readonly socket: string;
  /** The running tailscaled (a new one after restart()). */
  readonly proc: Proc;
  readonly echo: EchoServer;
  readonly exactEcho: EchoServer;
  status(): Promise<TailscaleStatus>;
  /**
   * Starts tailscaled again from the same state directory after it was killed: the same node, key and tailnet
   * addresses, logged in from its saved state (no auth key). Resolves once it is Running.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTarget(opts: TargetOptions): Promise<Target> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dir = tempDir(`target-${opts.hostname}`);
  const socket = path.join(dir, "tailscaled.sock");
  const echo = await startEchoServer({ tag: opts.hostname });
  const exactEcho = await startEchoServer();
  const launch = async (): Promise<Proc> => {
    const started = startProcess({
      name: `tailscaled-${opts.hostname}`,
      command: binPath("tailscaled"),
      args: [
        "--tun=userspace-networking",
        `--statedir=${path.join(dir, "state")}`,
        `--socket=${socket}`,
        "--port=0",
        "--no-logs-no-support",
      ],
      env: LAB_TAILSCALE_ENV,
      logDir: dir,
      cwd: dir,
      sandbox: {},
    });
    await waitFor(`tailscaled-${opts.hostname} socket`, 20_000, async () => {
      if (!started.running()) throw new Error(`tailscaled exited:\n${started.log()}`);
      return (await tailscaleStatus(socket).catch(() => undefined)) ? true : undefined;
    });
    return started;
  };
  let proc = await launch();
  await runCommand(
    binPath("tailscale"),
    [
      "--socket",
      socket,
      "up",
      `--login-server=${opts.headscale.url}`,
      `--authkey=${opts.authKey ?? opts.headscale.authKey}`,
      `--hostname=${opts.hostname}`,
      "--accept-dns=false",
      `--timeout=${Math.round(timeoutMs / 1000)}s`,
    ],
    { env: LAB_TAILSCALE_ENV, timeoutMs: timeoutMs + 5_000 },
  );
  const st = await waitFor(`target ${opts.hostname} Running`, timeoutMs, () => runningStatus(socket));
  const ipv4 = st.self.ipv4;
  if (ipv4 === undefined) throw new Error(`target ${opts.hostname} has no tailnet IPv4`);
  return {
    hostname: opts.hostname,
    tailnet: opts.headscale.name,
    ipv4,
    ipv6: st.self.ipv6,
    magicDNSName: st.self.dnsName,
    port: echo.port,
    exactPort: exactEcho.port,
    socket,
    get proc() {
      return proc;
    },
    echo,
    exactEcho,
    status: () => tailscaleStatus(socket),
    restart: async () => {
      if (proc.running()) throw new Error(`target ${opts.hostname}: tailscaled is still running`);
      proc = await launch();
      await waitFor(`target ${opts.hostname} Running again`, timeoutMs, () => runningStatus(socket));
    },
    stop: async () => {
      await proc.stop();
      await echo.stop();
      await exactEcho.stop();
    },
  };
}
