// `cluster down` stops only what it can prove is the cluster's (tools/src/local/cluster/ownership.ts). No real
// cluster here: stand-ins for a supervisor, for a shim left in its namespace, and for the host's processes.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, expect, it } from "vitest";
import { clusterDown } from "../../tools/src/local/cluster/cluster.ts";
import { layout, type Layout } from "../../tools/src/local/cluster/layout.ts";
import {
  livingSupervisor,
  NAMESPACE_TOKEN_FILE,
  writeNamespaceRecord,
  writeSupervisorPid,
} from "../../tools/src/local/cluster/ownership.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";
import { alive, mountNamespace } from "../../tools/src/local/proc.ts";
import { ownProcess, privateNamespaceProcess, until, type OwnProc } from "../lib/own-procs.ts";

const root = tempDir("down-safety");
process.env.TAILNET_EGRESS_CLUSTER_DIR = root;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const mine: OwnProc[] = [];
afterEach(async () => {
  for (const p of mine.splice(0)) await p.stop();
});
const own = (p: OwnProc): OwnProc => (mine.push(p), p);
const hostNs = mountNamespace(process.pid);

function cluster(prefix: string): Layout {
  const l = layout(`${prefix}${process.pid % 10_000}`);
  fs.mkdirSync(l.dir, { recursive: true });
  fs.writeFileSync(l.supervisorLog, "starting\n");
  return l;
}

/** Processes of the host's that name nothing of the cluster, and one that names its directory. */
function hostProcesses(l: Layout) {
  const sentinel = own(ownProcess("sleep", ["600"]));
  const tail = own(ownProcess("tail", ["-f", l.supervisorLog]));
  return { sentinel, tail };
}

it("stops a look-alike registered as a just-spawned supervisor by its PID alone; the host's processes live", async () => {
  const l = cluster("dsa");
  const { sentinel, tail } = hostProcesses(l);
  // A parent shell starts a process whose command line is a supervisor's, in the host's mount namespace (as
  // a real supervisor is between its spawn and its `unshare`), reports how it ended, and lives on.
  const shell = own(
    ownProcess("sh", [
      "-c",
      `"$0" -e 'setInterval(() => {}, 1e9)' bin/tailnet-egress.js cluster supervise ${l.name} &
       echo "pid $!"; wait $!; echo "exit $?"; sleep 600`,
      process.execPath,
    ]),
  );
  const lookalike = Number(await until("the look-alike's PID", 10_000, () => /pid (\d+)/.exec(shell.out())?.[1]));
  writeSupervisorPid(l, lookalike);
  expect(livingSupervisor(l)).toBe(lookalike);
  expect(mountNamespace(lookalike)).toBe(hostNs);

  await clusterDown(l.name);

  expect(alive(lookalike)).toBe(false);
  // Stopped by its PID with SIGTERM (128 + 15): not by a SIGKILL sweep of its namespace.
  expect(await until("the look-alike's exit status", 5_000, () => /exit (\d+)/.exec(shell.out())?.[1])).toBe("143");
  await new Promise((r) => setTimeout(r, 300)); // a SIGKILL sent to them would have landed by now
  expect(sentinel.alive()).toBe(true);
  expect(shell.alive()).toBe(true);
  expect(tail.alive()).toBe(true);
  expect(alive(process.pid)).toBe(true);
  expect(fs.existsSync(l.dir)).toBe(false);
});

it("kills what runs in the supervisor's own namespace, and nothing in the host's or another private one", async () => {
  const l = cluster("dsb");
  const { sentinel, tail } = hostProcesses(l);
  const token = randomUUID();
  const shim = own((await privateNamespaceProcess(token)).proc);
  const shimNs = mountNamespace(shim.pid) ?? "";
  // Another private namespace (another user's sandbox) that is not this cluster's: its token differs.
  const stranger = own((await privateNamespaceProcess(randomUUID())).proc);
  writeNamespaceRecord(l, shimNs, token);

  await clusterDown(l.name);

  expect(await shim.ended).toBe("SIGKILL");
  await new Promise((r) => setTimeout(r, 300));
  expect(stranger.alive()).toBe(true);
  expect(sentinel.alive()).toBe(true);
  expect(tail.alive()).toBe(true);
  expect(fs.existsSync(l.dir)).toBe(false);
});

it("refuses a namespace record that names the host's namespace, even with the right token", async () => {
  const l = cluster("dsc");
  const { sentinel, tail } = hostProcesses(l);
  const token = randomUUID();
  // As if a supervisor had recorded itself before it left the host's namespace. The token is where a process
  // of the host's namespace sees it: only the namespace check stands between them and a SIGKILL.
  const dir = path.dirname(NAMESPACE_TOKEN_FILE);
  const madeDir = !fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(NAMESPACE_TOKEN_FILE, `${token}\n`);
  try {
    writeNamespaceRecord(l, hostNs ?? "", token);
    await clusterDown(l.name);
  } finally {
    fs.rmSync(NAMESPACE_TOKEN_FILE, { force: true });
    try {
      if (madeDir) fs.rmdirSync(dir);
    } catch {
      // not empty: another run's token is in it
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  expect(sentinel.alive()).toBe(true);
  expect(tail.alive()).toBe(true);
  expect(fs.existsSync(l.dir)).toBe(false);
});
