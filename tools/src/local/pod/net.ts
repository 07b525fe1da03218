// Network helpers for the pod e2e tests: a raw TCP exchange with a service port, a long-lived connection,
// and a non-loopback vantage point: a network namespace of our own, joined to the host by a veth pair. The
// host end's address is the run's "pod IP" (Envoy's 0.0.0.0 listeners bind it); from the namespace end,
// only what the pod exposes beyond loopback can be reached. Nothing leaves this machine.
import { execFileSync } from "node:child_process";
import net from "node:net";
import { systemTool } from "../lab/bins.ts";
import { onCleanup } from "../lab/cleanup.ts";

export interface Exchange {
  data: Buffer;
  /** How the connection ended: the peer closed it, it was refused/reset, or we stopped waiting. */
  ended: "closed" | "error" | "timeout" | "enough";
  elapsedMs: number;
}

/** Connects, sends payload, collects until expectBytes arrived, the peer closed, or timeoutMs. */
export function tcpExchange(
  host: string,
  port: number,
  payload: Buffer,
  expectBytes: number,
  timeoutMs = 10_000,
): Promise<Exchange> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const sock = net.connect({ host, port });
    const done = (ended: Exchange["ended"]): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), ended, elapsedMs: Date.now() - t0 });
    };
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    sock.on("connect", () => sock.write(payload));
    sock.on("data", (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= expectBytes) done("enough");
    });
    sock.on("end", () => done("closed"));
    sock.on("error", () => done("error"));
  });
}

export interface Conn {
  /** Sends bytes and waits for n bytes back. */
  exchange(payload: Buffer, n: number, timeoutMs?: number): Promise<Buffer>;
  close(): void;
}

export function openConn(host: string, port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let waiter: (() => void) | undefined;
    sock.on("data", (d: Buffer) => ((buf = Buffer.concat([buf, d])), waiter?.()));
    sock.once("error", reject);
    sock.once("connect", () =>
      resolve({
        exchange: (payload, n, timeoutMs = 10_000) =>
          new Promise((res, rej) => {
            buf = Buffer.alloc(0);
            const timer = setTimeout(
              () =>
                rej(new Error(`no ${n} bytes within ${timeoutMs} ms (got ${buf.length}, closed=${sock.destroyed})`)),
              timeoutMs,
            );
            waiter = () => {
              if (buf.length >= n) clearTimeout(timer), (waiter = undefined), res(buf.subarray(0, n));
            };
            sock.once("close", () => rej(new Error(`closed after ${buf.length} bytes`)));
            sock.write(payload);
          }),
        close: () => sock.destroy(),
      }),
    );
  });
}

export interface Vantage {
  ns: string;
  /** Host end of the veth pair: the pod IP. */
  hostIP: string;
  nsIP: string;
  /** From inside the namespace: which of these ports of hostIP accept a TCP connection. */
  reachable(ports: readonly number[]): Record<number, boolean>;
  stop(): void;
}

export function startVantage(): Vantage {
  const ip = systemTool("ip");
  const id = process.pid % 100_000;
  const ns = `tse-pod-${process.pid}`;
  const [hostIf, nsIf] = [`tseh${id}`, `tsen${id}`];
  const subnet = `10.231.${process.pid % 250}`;
  const [hostIP, nsIP] = [`${subnet}.1`, `${subnet}.2`];
  const run = (...args: string[]): string =>
    execFileSync(ip, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const stop = (): void => {
    try {
      run("netns", "del", ns); // takes the veth pair with it
    } catch {
      // already gone
    }
    try {
      run("link", "del", hostIf);
    } catch {
      // already gone
    }
  };
  stop();
  const handle = onCleanup(`netns ${ns}`, stop, stop);
  run("netns", "add", ns);
  run("link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
  run("link", "set", nsIf, "netns", ns);
  run("addr", "add", `${hostIP}/30`, "dev", hostIf);
  run("link", "set", hostIf, "up");
  run("netns", "exec", ns, ip, "addr", "add", `${nsIP}/30`, "dev", nsIf);
  run("netns", "exec", ns, ip, "link", "set", nsIf, "up");
  run("netns", "exec", ns, ip, "link", "set", "lo", "up");
  const probe = `
    const net = require("node:net");
    const ports = JSON.parse(process.argv[1]);
    Promise.all(ports.map((p) => new Promise((r) => {
      const s = net.connect({ host: ${JSON.stringify(hostIP)}, port: p });
      const t = setTimeout(() => (s.destroy(), r([p, false])), 2000);
      s.on("connect", () => (clearTimeout(t), s.destroy(), r([p, true])));
      s.on("error", () => (clearTimeout(t), r([p, false])));
    }))).then((x) => console.log(JSON.stringify(Object.fromEntries(x))));`;
  return {
    ns,
    hostIP,
    nsIP,
    reachable: (ports) =>
      JSON.parse(run("netns", "exec", ns, process.execPath, "-e", probe, JSON.stringify(ports))) as Record<
        number,
        boolean
      >,
    stop: () => (stop(), handle.release()),
  };
}
