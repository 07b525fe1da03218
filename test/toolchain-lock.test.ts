// tools/toolchain.sh takes one lock per tools directory. A run that finds it held says whose run it waits for
// (instead of sitting silent for the minutes a cold build takes), waits, and carries on once it is free.
// The script runs on a temp tools directory where the one tool asked for is already stamped, so it builds
// nothing.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { repoPath } from "../tools/src/lib/paths.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";
import { alive } from "../tools/src/local/proc.ts";

const dir = tempDir("toolchain-lock");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const lock = path.join(dir, ".lock");
const helm3 = /^HELM3_VERSION=(\S+)$/m.exec(fs.readFileSync(repoPath("tools", "toolchain.env"), "utf8"))?.[1];
fs.mkdirSync(path.join(dir, "stamps"), { recursive: true });
fs.writeFileSync(path.join(dir, "stamps", `helm3-${helm3}`), "");

/** tools/toolchain.sh helm3 on the temp tools directory; its stderr so far, and its exit. */
function toolchain() {
  const child = spawn("bash", [repoPath("tools", "toolchain.sh"), "helm3"], {
    env: { ...process.env, TOOLS_DIR: dir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  return { stderr: () => err, exited, child };
}

const until = async (what: string, ms: number, ok: () => boolean): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

it("says it waits for the run holding the lock, by PID, and goes on once it is free", async () => {
  expect(helm3).toBeTruthy();
  // Free lock: no waiting, no message.
  const free = toolchain();
  expect(await free.exited).toBe(0);
  expect(free.stderr()).not.toContain("waiting");

  // Another run holds the lock and has written its PID into it, as the script does.
  fs.writeFileSync(lock, "");
  const holder = spawn("sh", ["-c", `exec 9>>'${lock}'; flock 9; echo $$ > '${lock}'; exec sleep 60`], {
    stdio: "ignore",
  });
  const holderExit = new Promise((r) => holder.on("close", r));
  try {
    await until(
      "PID in the lock file",
      10_000,
      () => fs.readFileSync(lock, "utf8").trim() !== "" && alive(holder.pid ?? 0),
    );
    const holderPid = Number(fs.readFileSync(lock, "utf8").trim());
    expect(holderPid).toBe(holder.pid); // one process (sh, then sleep) holds the lock: killing it frees it
    const run = toolchain();
    await until("waiting message", 10_000, () => run.stderr().includes("waiting"));
    expect(run.stderr()).toContain(`waiting for another toolchain run (pid ${holderPid}) to finish`);
    // It really waits: still running a second later.
    await new Promise((r) => setTimeout(r, 1000));
    expect(run.child.exitCode).toBeNull();
    holder.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    // The new holder wrote its own PID.
    expect(Number(fs.readFileSync(lock, "utf8").trim())).toBe(run.child.pid);
  } finally {
    if (holder.exitCode === null && holder.signalCode === null) holder.kill("SIGKILL");
    await holderExit;
  }
});
