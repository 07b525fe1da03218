// Reads `tailscale --socket <sock> status --json` into a small typed view.
import { binPath } from "./bins.ts";
import { runCommand } from "./procs.ts";

export interface NodeView {
  id: string;
  publicKey: string;
  hostName: string;
  /** MagicDNS name without the trailing dot, e.g. target-a.a.lab.test */
  dnsName: string;
  ipv4: string | undefined;
  ipv6: string | undefined;
  online: boolean;
  /** Direct UDP path in use ("" if none yet), e.g. 127.0.0.1:41641 */
  curAddr: string;
  /** DERP region code used as relay ("" if none). */
  relay: string;
}

export interface TailscaleStatus {
  backendState: string;
  magicDNSSuffix: string;
  self: NodeView;
  peers: NodeView[];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function nodeView(raw: unknown): NodeView {
  const r = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const ips = Array.isArray(r.TailscaleIPs) ? r.TailscaleIPs.map(String) : [];
  return {
    id: str(r.ID),
    publicKey: str(r.PublicKey),
    hostName: str(r.HostName),
    dnsName: str(r.DNSName).replace(/\.$/, ""),
    ipv4: ips.find((ip) => !ip.includes(":")),
    ipv6: ips.find((ip) => ip.includes(":")),
    online: r.Online === true,
    curAddr: str(r.CurAddr),
    relay: str(r.Relay),
  };
}

export async function tailscaleStatus(socket: string): Promise<TailscaleStatus> {
  const { stdout } = await runCommand(binPath("tailscale"), ["--socket", socket, "status", "--json"], {
    timeoutMs: 10_000,
  });
  const r = JSON.parse(stdout) as Record<string, unknown>;
  const peers = typeof r.Peer === "object" && r.Peer !== null ? Object.values(r.Peer as Record<string, unknown>) : [];
  return {
    backendState: str(r.BackendState),
    magicDNSSuffix: str(r.MagicDNSSuffix),
    self: nodeView(r.Self),
    peers: peers.map(nodeView),
  };
}

/** Status once the node is Running with a tailnet IPv4, or undefined (for waitFor). */
export async function runningStatus(socket: string): Promise<TailscaleStatus | undefined> {
  const st = await tailscaleStatus(socket);
  return st.backendState === "Running" && st.self.ipv4 !== undefined ? st : undefined;
}
