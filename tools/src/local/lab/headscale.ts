// One independent headscale control server per tailnet, entirely on loopback: HTTP API + control on
// 127.0.0.1:<port>, its embedded DERP on the same port (plain HTTP, clients need
// TS_DEBUG_USE_DERP_HTTP=1) and STUN on 127.0.0.1:<udp>, no external DERP map, no update check.
// The CLI talks to the server over the unix socket named in the same config file (`-c <config>`).
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { binPath } from "./bins.ts";
import { freeTcpPort, freeUdpPort, LOOPBACK } from "./ports.ts";
import { runCommand, startProcess, waitFor, type Proc } from "./procs.ts";
import { tempDir } from "./tempdirs.ts";

export interface HeadscaleOptions {
  /** Tailnet name, used for dirs, the user name and the default base domain. */
  name: string;
  /** MagicDNS base domain; default `<name>.lab.test`. */
  baseDomain?: string;
  /** Tailnet address ranges; give each tailnet its own so IPs never collide across tailnets. */
  prefixV4?: string;
  prefixV6?: string;
  /** Address for the control server, DERP and STUN; default 127.0.0.1 (a local cluster uses its node IP). */
  host?: string;
}

export interface AuthKeyOptions {
  reusable?: boolean;
  ephemeral?: boolean;
  /** headscale duration, default 24h. */
  expiration?: string;
}

export interface Headscale {
  readonly name: string;
  /** server_url, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly baseDomain: string;
  readonly configPath: string;
  readonly dir: string;
  readonly userName: string;
  readonly userId: string;
  /** A reusable pre-auth key created at start. */
  readonly authKey: string;
  readonly proc: Proc;
  /** Issue another pre-auth key for the lab user (reusable by default). */
  createAuthKey(opts?: AuthKeyOptions): Promise<string>;
  /** Run the headscale CLI against this server; returns stdout. */
  cli(args: readonly string[]): Promise<string>;
  /** Nodes as headscale sees them (`nodes list -o json`). */
  nodes(): Promise<HeadscaleNode[]>;
  stop(): Promise<void>;
}

export interface HeadscaleNode {
  id: string;
  name: string;
  givenName: string;
  ipAddresses: string[];
  online: boolean;
}

let tailnetCounter = 0;

function idOf(v: unknown): string {
  if (typeof v === "string" || typeof v === "number") return String(v);
  throw new Error(`unexpected id in headscale output: ${JSON.stringify(v)}`);
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`unexpected headscale ${what} output: ${JSON.stringify(v)}`);
}

export async function startHeadscale(opts: HeadscaleOptions): Promise<Headscale> {
  const bin = binPath("headscale");
  const n = ++tailnetCounter;
  const dir = tempDir(`headscale-${opts.name}`);
  const [port, grpcPort, metricsPort, stunPort] = [
    await freeTcpPort(),
    await freeTcpPort(),
    await freeTcpPort(),
    await freeUdpPort(),
  ];
  const host = opts.host ?? LOOPBACK;
  const url = `http://${host}:${port}`;
  const baseDomain = opts.baseDomain ?? `${opts.name}.lab.test`;
  const config = {
    server_url: url,
    listen_addr: `${host}:${port}`,
    metrics_listen_addr: `${LOOPBACK}:${metricsPort}`,
    grpc_listen_addr: `${LOOPBACK}:${grpcPort}`,
    grpc_allow_insecure: false,
    noise: { private_key_path: path.join(dir, "noise_private.key") },
    prefixes: {
      v4: opts.prefixV4 ?? `100.64.${n}.0/24`,
      v6: opts.prefixV6 ?? `fd7a:115c:a1e0:${n}::/64`,
      allocation: "sequential",
    },
    derp: {
      server: {
        enabled: true,
        region_id: 900 + n,
        region_code: `lab${n}`,
        region_name: `lab ${opts.name} embedded DERP`,
        verify_clients: true,
        stun_listen_addr: `${host}:${stunPort}`,
        private_key_path: path.join(dir, "derp_server_private.key"),
        automatically_add_embedded_derp_region: true,
        ipv4: host,
      },
      urls: [],
      paths: [],
      auto_update_enabled: false,
    },
    disable_check_updates: true,
    database: { type: "sqlite", sqlite: { path: path.join(dir, "db.sqlite"), write_ahead_log: true } },
    log: { level: "info", format: "text" },
    policy: { mode: "file", path: "" },
    dns: {
      magic_dns: true,
      base_domain: baseDomain,
      override_local_dns: false,
      nameservers: { global: [], split: {} },
      search_domains: [],
      extra_records: [],
    },
    unix_socket: path.join(dir, "headscale.sock"),
    unix_socket_permission: "0770",
    logtail: { enabled: false },
    taildrop: { enabled: false },
  };
  const configPath = path.join(dir, "config.yaml");
  fs.writeFileSync(configPath, YAML.stringify(config));

  const proc = startProcess({
    name: `headscale-${opts.name}`,
    command: bin,
    args: ["-c", configPath, "serve"],
    logDir: dir,
    cwd: dir,
    sandbox: {},
  });
  await waitFor(`headscale ${opts.name} /health on ${url}`, 30_000, async () => {
    if (!proc.running()) throw new Error(`headscale exited early:\n${proc.log()}`);
    const res = await fetch(`${url}/health`).catch(() => undefined);
    return res?.ok && fs.existsSync(config.unix_socket) ? true : undefined;
  });

  const cli = async (args: readonly string[]): Promise<string> =>
    (await runCommand(bin, ["-c", configPath, ...args], { cwd: dir, timeoutMs: 20_000 })).stdout;

  const userName = "lab";
  const user = record(JSON.parse(await cli(["users", "create", userName, "-o", "json"])) as unknown, "users create");
  const userId = idOf(user.id);

  const createAuthKey = async (k: AuthKeyOptions = {}): Promise<string> => {
    const args = ["preauthkeys", "create", "--user", userId, "-e", k.expiration ?? "24h", "-o", "json"];
    if (k.reusable ?? true) args.push("--reusable");
    if (k.ephemeral) args.push("--ephemeral");
    const out = record(JSON.parse(await cli(args)) as unknown, "preauthkeys create");
    if (typeof out.key !== "string" || out.key === "") throw new Error(`no key in ${JSON.stringify(out)}`);
    return out.key;
  };
  const authKey = await createAuthKey();

  const nodes = async (): Promise<HeadscaleNode[]> => {
    const raw = JSON.parse(await cli(["nodes", "list", "-o", "json"])) as unknown;
    const list = Array.isArray(raw) ? raw : [];
    return list.map((x) => {
      const r = record(x, "nodes list");
      return {
        id: idOf(r.id),
        name: String(r.name ?? ""),
        givenName: String(r.given_name ?? r.givenName ?? ""),
        ipAddresses: Array.isArray(r.ip_addresses)
          ? r.ip_addresses.map(String)
          : Array.isArray(r.ipAddresses)
            ? r.ipAddresses.map(String)
            : [],
        online: r.online === true,
      };
    });
  };

  return {
    name: opts.name,
    url,
    baseDomain,
    configPath,
    dir,
    userName,
    userId,
    authKey,
    proc,
    createAuthKey,
    cli,
    nodes,
    stop: async () => void (await proc.stop()),
  };
}
