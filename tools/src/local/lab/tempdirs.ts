// The one place temp dirs are made: <tmpdir>/tnlab-<pid>-<random>/<name>-<random>, all removed with their root by
// the cleanup registry (cleanupAll(), SIGINT/SIGTERM, or the exit hook). A run killed with SIGKILL cannot clean
// up after itself, so creating the root also sweeps tnlab-* dirs whose owning process is gone.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { alive } from "../proc.ts";
import { onCleanup } from "./cleanup.ts";

const PREFIX = "tnlab-";
const roots: { lab?: string; user?: string } = {};

function sweepStale(base: string): void {
  for (const name of fs.readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
    }
  }
}

/** One per-process root of that kind, created on first use with that mode and removed by the cleanup registry. */
function rootOf(kind: "lab" | "user", mode: number): string {
  const known = roots[kind];
  if (known !== undefined && fs.existsSync(known)) return known;
  const base = os.tmpdir();
  sweepStale(base);
  const dir = fs.mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
  fs.chmodSync(dir, mode);
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
