// Runs a command the way a container runtime would, without a container engine:
//   unshare --pid --fork --kill-child --mount-proc --mount --propagation private
// so the command is PID 1 of a fresh PID namespace (when it dies the kernel kills everything it
// started, e.g. containerboot's tailscaled, which setpgid()s itself out of our process group) and
// has a private mount namespace in which:
//   /tmp   is a host dir (fresh per container start, like a container's writable layer)
//   /run   is a private tmpfs (hides the host's /run)
//   binds  host dirs mounted at container paths under /tmp or /run (volumes, the service
//          account dir at /run/secrets/kubernetes.io/serviceaccount, ...)
//   /etc/hosts and /etc/resolv.conf replaced by lab files: no name lookup can leave the host
//          (resolv.conf names 127.0.0.1, where nothing serves DNS, so lookups fail fast)
// Mounts and namespaces disappear with the last process in them; nothing to clean up on the host.
// The network namespace is shared with the host (a pod's containers share one; here that is the
// host loopback). Needs root (CAP_SYS_ADMIN).
import fs from "node:fs";
import path from "node:path";
import { systemTool, TOOLS_BIN } from "./bins.ts";
import { labRoot } from "./tempdirs.ts";

export interface SandboxSpec {
  /** Host dir that appears as /tmp inside; default: the host /tmp stays visible. */
  tmpDir?: string;
  /** Container path (absolute, under /tmp or /run, or /run itself: then it replaces the tmpfs) -> host dir. */
  binds?: Readonly<Record<string, string>>;
  /** Host file bind-mounted over /etc/hosts (default: localhost entries only). */
  etcHosts?: string;
  /** Host file bind-mounted over /etc/resolv.conf (default: nameserver 127.0.0.1). */
  resolvConf?: string;
  command: string;
  args?: readonly string[];
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Returns the command + args that run spec.command inside the sandbox. */
export function sandboxCommand(spec: SandboxSpec): { command: string; args: string[] } {
  const runVolume = spec.binds?.["/run"];
  const lines = [
    "set -e",
    runVolume === undefined ? "mount -n -t tmpfs -o mode=755 tmpfs /run" : `mount -n --bind ${shq(runVolume)} /run`,
  ];
  const binds = Object.entries(spec.binds ?? {}).filter(([t]) => t !== "/run");
  // Bind the /run/... targets first (their host sources may live under the host /tmp, which is
  // about to be covered), then /tmp itself, then /tmp/... targets from the saved fds via /proc.
  for (const [target] of binds) {
    if (!target.startsWith("/run/") && !target.startsWith("/tmp/"))
      throw new Error(`sandbox bind target must be under /run or /tmp: ${target}`);
  }
  const runBinds = binds.filter(([t]) => t.startsWith("/run/"));
  const tmpBinds = binds.filter(([t]) => t.startsWith("/tmp/"));
  // A checkout under /tmp (CI may clone there) keeps its pinned binaries visible at the same path.
  const tools = fs.existsSync(TOOLS_BIN) ? fs.realpathSync(TOOLS_BIN) : TOOLS_BIN;
  if (spec.tmpDir !== undefined && tools.startsWith("/tmp/") && !tmpBinds.some(([t]) => t === tools))
    tmpBinds.push([tools, tools]);
  if (tools.startsWith("/run/"))
    throw new Error(`the e2e sandbox hides /run: move the checkout or TOOLS_DIR (${tools}) elsewhere`);
  for (const [target, source] of runBinds)
    lines.push(`mkdir -p ${shq(target)}`, `mount -n --bind ${shq(source)} ${shq(target)}`);
  const net = labNetFiles();
  lines.push(`mount -n --bind ${shq(spec.etcHosts ?? net.hosts)} /etc/hosts`);
  lines.push(`mount -n --bind ${shq(spec.resolvConf ?? net.resolvConf)} /etc/resolv.conf`);
  if (spec.tmpDir !== undefined) {
    // Stage /tmp binds under /run before /tmp is covered, then move them.
    for (const [i, [, source]] of tmpBinds.entries())
      lines.push(`mkdir -p /run/.stage${i}`, `mount -n --bind ${shq(source)} /run/.stage${i}`);
    lines.push(`mount -n --bind ${shq(spec.tmpDir)} /tmp`);
    for (const [i, [target]] of tmpBinds.entries())
      lines.push(`mkdir -p ${shq(target)}`, `mount -n --move /run/.stage${i} ${shq(target)}`);
  } else {
    for (const [target, source] of tmpBinds)
      lines.push(`mkdir -p ${shq(target)}`, `mount -n --bind ${shq(source)} ${shq(target)}`);
  }
  lines.push(`exec ${[spec.command, ...(spec.args ?? [])].map(shq).join(" ")}`);
  return {
    command: systemTool("unshare"),
    args: [
      "--pid",
      "--fork",
      "--kill-child",
      "--mount-proc",
      "--mount",
      "--propagation",
      "private",
      "--",
      systemTool("sh"),
      "-c",
      lines.join("\n"),
    ],
  };
}

export const LAB_HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n";

/** The lab's default /etc/hosts and /etc/resolv.conf (written once per lab root). */
export function labNetFiles(): { hosts: string; resolvConf: string } {
  const dir = path.join(labRoot(), "etc");
  const hosts = path.join(dir, "hosts");
  const resolvConf = path.join(dir, "resolv.conf");
  if (!fs.existsSync(resolvConf)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(hosts, LAB_HOSTS);
    fs.writeFileSync(
      resolvConf,
      "# tailnet lab: no DNS leaves this host\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    );
  }
  return { hosts, resolvConf };
}
