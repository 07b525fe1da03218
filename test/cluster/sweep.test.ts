// `cluster up` first removes clusters whose supervisor is gone (a run killed before its `down`), and leaves
// alone a directory that another process may be starting a cluster in right now.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { sweepStale } from "../../tools/src/local/cluster/cluster.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-"));
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
  const young = make(`young${process.pid % 1000}`, 1_000);
  const images = path.join(root, ".images");
  fs.mkdirSync(images);
  fs.utimesSync(images, 0, 0);
  await sweepStale();
  expect(fs.existsSync(old)).toBe(false);
  expect(fs.existsSync(young)).toBe(true);
  expect(fs.existsSync(images)).toBe(true);
});
