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

  it("names a root tnlab-<pid>-<6 random>, short enough for the Unix sockets kept under it", () => {
    // A containerboot's socket sits at <root>/containerboot-<name>-<random>/volumes/_run/tailscale/tailscaled.sock;
    // with the PID namespace in the root's name it passed the kernel's 107 bytes and tailscale could not connect.
    expect(path.basename(labRoot())).toMatch(new RegExp(`^tnlab-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(fs.readFileSync(path.join(labRoot(), ".pidns"), "utf8")).toBe(`${pidNamespace()}\n`);
  });
});

describe("sweeping the roots of runs that are gone", () => {
  it("removes a dead owner's root of this PID namespace only: a PID says nothing about another namespace", () => {
    const r = spawnSync(process.execPath, ["-e", "process.pid"]);
    const dead = r.pid!; // exited; a PID reused this soon would only keep its dir, not fail the check below
    const ns = pidNamespace();
    const base = fs.mkdtempSync(path.join(labRoot(), "sweep-"));
    const root = (name: string, owner: string | undefined): string => {
      const d = path.join(base, name);
      fs.mkdirSync(d);
      if (owner !== undefined) fs.writeFileSync(path.join(d, ".pidns"), `${owner}\n`);
      return d;
    };
    const mine = root(`tnlab-${dead}-aaaaaa`, ns);
    const theirs = root(`tnlab-${dead}-bbbbbb`, String(Number(ns) + 1));
    const live = root(`tnlab-${process.pid}-cccccc`, ns);
    const unowned = root(`tnlab-${dead}-dddddd`, undefined);
    sweepStale(base, ns);
    expect([mine, theirs, live, unowned].map((d) => fs.existsSync(d))).toEqual([false, true, true, true]);
  });
});
