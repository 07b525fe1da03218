// The lab root holds service-account tokens and keys, so it stays private; a pod user's dir lives in a second
// root that user can pass through but nobody can list.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labRoot, pidNamespace, sweepStale, tempDir, userTempDir } from "../../tools/src/local/lab/tempdirs.ts";

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("temp dirs", () => {
  it("keeps the lab root private while a pod user's dir is reachable by that user only", () => {
    const plain = tempDir("plain");
    const user = userTempDir("envoy", { uid: 65532, gid: 65532 });
    expect(path.dirname(plain)).toBe(labRoot());
    expect(mode(labRoot())).toBe(0o700);
    expect(path.dirname(user)).not.toBe(labRoot());
    expect(mode(path.dirname(user))).toBe(0o711);
    expect(mode(user)).toBe(0o700);
    expect(fs.statSync(user).uid).toBe(65532);
  });
});

describe("sweeping the roots of runs that are gone", () => {
  it("removes a dead owner's root of this PID namespace only: a PID says nothing about another namespace", () => {
    const r = spawnSync(process.execPath, ["-e", "process.pid"]);
    const dead = r.pid!; // exited; a PID reused this soon would only keep its dir, not fail the check below
    const ns = pidNamespace();
    const base = fs.mkdtempSync(path.join(labRoot(), "sweep-"));
    const mine = path.join(base, `tnlab-${dead}-${ns}-aaaaaa`);
    const theirs = path.join(base, `tnlab-${dead}-${Number(ns) + 1}-bbbbbb`);
    const live = path.join(base, `tnlab-${process.pid}-${ns}-cccccc`);
    for (const d of [mine, theirs, live]) fs.mkdirSync(d);
    sweepStale(base, ns);
    expect([mine, theirs, live].map((d) => fs.existsSync(d))).toEqual([false, true, true]);
  });
});
