// `npm start` with no values: the CLI start command brings up the demo tailnet and the pod on the chart's
// real ports, curl-able on localhost:10000; Ctrl-C (SIGINT) stops and removes everything it started.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { READY_LINE } from "../../tools/src/cli/commands/start.ts";
import { REPO_ROOT } from "../../tools/src/lib/paths.ts";
import { isListening, requireBinaries } from "../../tools/src/local/lab/index.ts";
import { tcpExchange } from "../../tools/src/local/pod/net.ts";
import { taggedReply } from "../../tools/src/local/lab/echo.ts";
import { cmdline, pids } from "../../tools/src/local/proc.ts";

const POD_PORTS = [10000, 10001, 10500, 10501, 10550, 10700];

it("npm start (demo): curl localhost:10000 reaches the demo target; SIGINT cleans everything up", async () => {
  requireBinaries(["headscale", "tailscaled", "tailscale", "containerboot"]);
  for (const p of POD_PORTS)
    expect(await isListening(p), `port ${p} is already taken: stop the other npm start first`).toBe(false);
  const t0 = Date.now();
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/tailnet-egress.js"), "start"], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line after 120 s:\n${out}`)), 120_000);
      const poll = setInterval(() => {
        if (out.includes(READY_LINE)) clearInterval(poll), clearTimeout(timer), resolve();
        if (child.exitCode !== null)
          clearInterval(poll), clearTimeout(timer), reject(new Error(`start exited ${child.exitCode}:\n${out}`));
      }, 100);
    });
    console.log(`npm start ready after ${Date.now() - t0} ms:\n${out}`);
    expect(out).toMatch(/^10000\s+demo-hello\s+demo\s+demo-target\.demo\.lab\.test:\d+/m);
    const res = await fetch("http://localhost:10000/");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello from demo-target, through Envoy and Tailscale\n");
    const hi = Buffer.from("hi\n");
    const echo = await tcpExchange("127.0.0.1", 10001, hi, taggedReply("demo-target", hi).length);
    expect(echo.data.toString()).toBe("demo-target:hi\n");
  } finally {
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 30_000))]);
    if (code === "timeout") child.kill("SIGKILL");
    expect(code, out).toBe(130);
  }
  expect(out).toContain("Stopped; every process, port and temp dir of this run is cleaned up.");
  for (const p of POD_PORTS) expect(await isListening(p), `port ${p} still open`).toBe(false);
  const leftovers = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith(`tnlab-${child.pid}-`));
  expect(leftovers).toEqual([]);
  const procs = pids().filter((pid) => cmdline(pid)?.some((arg) => arg.includes(`tnlab-${child.pid}-`)));
  expect(procs, "processes of the run still alive").toEqual([]);
}, 180_000);
