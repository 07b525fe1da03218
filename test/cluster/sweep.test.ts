// `cluster up` first removes clusters whose supervisor is gone (a run killed before its `down`), and leaves
// alone a directory that another process may be starting a cluster in right now.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { sweepStale } from "../../tools/src/local/cluster/cluster.ts";
import { layout } from "../../tools/src/local/cluster/layout.ts";
import { writeNamespaceRecord } from "../../tools/src/local/cluster/ownership.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";
import { ownProcess, privateNamespaceProcess } from "../lib/own-procs.ts";

const root = tempDir("sweep");
process.env.TAILNET_EGRESS_CLUSTER_DIR = root;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it("removes a cluster left behind, keeps a young one and the image cache", async () => {
  const make = (name: string, ageMs: number): string => {
    const dir = path.join(root, name);
    fs.mkdirSync(path.join(dir, "logs"), { recursive: true });
    fs.writeFileSync(path.join(dir, "supervisor.pid"), "2147483646\n"); // no such process
    const t = (Date.now() - ageMs) / 1000;
    fs.utimesSync(dir, t, t);
    return dir;
  };
  const old = make(`old${process.pid % 1000}`, 10 * 60_000);
  // A process of that cluster left running in its supervisor's namespace (as containerd's shims outlive a
  // killed supervisor), and a process of the host's that merely names the cluster's directory.
  const token = randomUUID();
  const { proc: shim, mnt } = await privateNamespaceProcess(token);
  writeNamespaceRecord(layout(path.basename(old)), mnt, token);
  const tail = ownProcess("tail", ["-f", path.join(old, "supervisor.pid")]);
  const young = make(`young${process.pid % 1000}`, 1_000);
  const images = path.join(root, ".images");
  fs.mkdirSync(images);
  fs.utimesSync(images, 0, 0);
  const t = Date.now() / 1000;
  fs.utimesSync(old, t - 600, t - 600); // spawning touched nothing, but keep it old for certain
  try {
    await sweepStale();
    expect(await shim.ended).toBe("SIGKILL");
    expect(tail.alive()).toBe(true);
  } finally {
    await shim.stop();
    await tail.stop();
  }
  expect(fs.existsSync(old)).toBe(false);
  expect(fs.existsSync(young)).toBe(true);
  expect(fs.existsSync(images)).toBe(true);
});
