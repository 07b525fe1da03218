// The one place temp dirs are made: <tmpdir>/tnlab-<pid>-<random>/<name>-<random>, all removed with their root by
// the cleanup registry (cleanupAll(), SIGINT/SIGTERM, or the exit hook). A run killed with SIGKILL cannot clean up
// after itself, so creating the root also sweeps tnlab-* dirs whose owning process is gone. A PID means that process
// only in its own PID namespace: runs in other namespaces may share the temp dir, so each root records its PID
// namespace in a file of its own (OWNER_FILE) and only the roots of this namespace are swept (from another, a live
// owner would look gone and lose its dir mid-run). The namespace is not in the root's name: Unix socket paths under
// the root (a containerboot's tailscaled.sock in its volumes) must stay within the kernel's 107 bytes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { alive } from "../proc.ts";
import { onCleanup } from "./cleanup.ts";

const PREFIX = "tnlab-";
/** The file in each root that names its owner's PID namespace. */
const OWNER_FILE = ".pidns";
const roots: { lab?: string; user?: string } = {};

/** This process's PID namespace, the inode number of /proc/self/ns/pid. */
export function pidNamespace(): string {
  return /\[(\d+)\]/.exec(fs.readlinkSync("/proc/self/ns/pid"))?.[1] ?? "0";
}

/** Removes the tnlab-* dirs under base of this PID namespace whose owner has exited. A root whose owner file is
 * missing (just being made, or made by another version) is left alone. */
export function sweepStale(base: string, ns: string): void {
  for (const name of fs.readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    let itsNs: string;
    try {
      itsNs = fs.readFileSync(path.join(base, name, OWNER_FILE), "utf8").trim();
    } catch {
      continue;
    }
    if (itsNs === ns) fs.rmSync(path.join(base, name), { recursive: true, force: true });
  }
}

/** One per-process root of that kind, created on first use with that mode and removed by the cleanup registry. */
function rootOf(kind: "lab" | "user", mode: number): string {
  const known = roots[kind];
  if (known !== undefined && fs.existsSync(known)) return known;
  const base = os.tmpdir();
  const ns = pidNamespace();
  sweepStale(base, ns);
  const dir = fs.mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
  fs.chmodSync(dir, mode);
  fs.writeFileSync(path.join(dir, OWNER_FILE), `${ns}\n`, { mode: 0o644 });
  roots[kind] = dir;
  onCleanup(
    `rm -rf ${dir}`,
    () => fs.rmSync(dir, { recursive: true, force: true }),
    () => fs.rmSync(dir, { recursive: true, force: true }),
  );
  return dir;
}

/** The per-process lab root (created on first use), private to this user (0700). */
export function labRoot(): string {
  return rootOf("lab", 0o700);
}

/** A fresh directory under the lab root, e.g. tempDir("headscale-a"). Removed with the root. */
export function tempDir(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, "_");
  return fs.mkdtempSync(path.join(labRoot(), `${safe}-`));
}

/**
 * A fresh temp dir owned by a pod's non-root user, who may write only there (Envoy's admin address file). It sits
 * in a second root that others may traverse but not list (0711), so the lab root, which holds service-account
 * tokens and keys, stays private.
 */
export function userTempDir(name: string, owner: { uid: number; gid: number }): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, "_");
  const dir = fs.mkdtempSync(path.join(rootOf("user", 0o711), `${safe}-`));
  fs.chownSync(dir, owner.uid, owner.gid);
  return dir;
}

/** Removes a temp dir now, for a caller done with it before the run ends (the root goes later anyway). */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
