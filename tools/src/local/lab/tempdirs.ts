// The one place temp dirs are made: <tmpdir>/tnlab-<pid>-<random>/<name>-<random>, all removed with the root by
// the cleanup registry (cleanupAll(), SIGINT/SIGTERM, or the exit hook). A run killed with SIGKILL cannot clean
// up after itself, so creating the root also sweeps tnlab-* dirs whose owning process is gone.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { alive } from "../proc.ts";
import { onCleanup } from "./cleanup.ts";

const PREFIX = "tnlab-";
let root: string | undefined;

function sweepStale(base: string): void {
  for (const name of fs.readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
    }
  }
}

/** The per-process lab root (created on first use). */
export function labRoot(): string {
  if (root !== undefined && fs.existsSync(root)) return root;
  const base = os.tmpdir();
  sweepStale(base);
  const dir = fs.mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
  root = dir;
  onCleanup(
    `rm -rf ${dir}`,
    () => fs.rmSync(dir, { recursive: true, force: true }),
    () => fs.rmSync(dir, { recursive: true, force: true }),
  );
  return dir;
}

/** A fresh directory under the lab root, e.g. tempDir("headscale-a"). Removed with the root. */
export function tempDir(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, "_");
  return fs.mkdtempSync(path.join(labRoot(), `${safe}-`));
}

/**
 * A fresh temp dir owned by a pod's non-root user, who may write only there (Envoy's admin address file). The
 * root becomes traversable (0711: no listing) so that user can reach it; the dirs in it stay 0700 unless made
 * otherwise.
 */
export function userTempDir(name: string, owner: { uid: number; gid: number }): string {
  const dir = tempDir(name);
  fs.chmodSync(labRoot(), 0o711);
  fs.chownSync(dir, owner.uid, owner.gid);
  return dir;
}

/** Removes a temp dir now, for a caller done with it before the run ends (the root goes later anyway). */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
