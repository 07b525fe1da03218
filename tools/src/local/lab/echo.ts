// Loopback TCP echo servers that stand behind a target node. Two flavours:
//   exact:  every byte received is written back unchanged (half-close is honoured: when the client
//           ends its side, the server ends its side after echoing).
//   tagged: writes "<tag>:" first, then echoes exactly like `exact`. A test can therefore prove
//           WHICH target answered and that the bytes came back unchanged:
//           reply === `${tag}:` + sent.
// And a bulk source for the data-plane benchmark (startSourceServer).
import net from "node:net";
import { onCleanup } from "./cleanup.ts";
import { LOOPBACK } from "./ports.ts";

export interface EchoServer {
  readonly port: number;
  readonly tag: string | undefined;
  /** Connections accepted so far. */
  accepted(): number;
  stop(): Promise<void>;
}

export function taggedReply(tag: string, sent: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${tag}:`), Buffer.isBuffer(sent) ? sent : Buffer.from(sent)]);
}

/** A loopback TCP server that tracks its sockets and registers its own cleanup. */
async function startServer(
  kind: string,
  port: number,
  allowHalfOpen: boolean,
  onSocket: (sock: net.Socket) => void,
): Promise<Omit<EchoServer, "tag">> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer({ allowHalfOpen }, (sock) => {
    count++;
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => sock.destroy());
    onSocket(sock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: LOOPBACK, port }, () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr !== "object") throw new Error(`${kind} server has no address`);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    handle.release();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const handle = onCleanup(`${kind} server :${addr.port}`, stop, () => server.close());
  return { port: addr.port, accepted: () => count, stop };
}

export async function startEchoServer(opts: { tag?: string; port?: number } = {}): Promise<EchoServer> {
  const s = await startServer("echo", opts.port ?? 0, true, (sock) => {
    if (opts.tag !== undefined) sock.write(`${opts.tag}:`);
    sock.on("data", (b: Buffer) => sock.write(b));
    sock.on("end", () => sock.end());
  });
  return { ...s, tag: opts.tag };
}

/**
 * A bulk source for throughput runs: the client sends "<n>\n", the server writes n bytes (a fixed pattern,
 * with backpressure) and then waits for the client to close (no half-close: tailscaled's proxy tears a
 * tunnel down on FIN, see connect.ts).
 */
export async function startSourceServer(): Promise<EchoServer> {
  const chunk = Buffer.alloc(256 * 1024, 0x5a);
  const s = await startServer("source", 0, false, (sock) => {
    let line = "";
    const onData = (b: Buffer): void => {
      line += b.toString("latin1");
      const nl = line.indexOf("\n");
      if (nl < 0) return;
      sock.off("data", onData);
      let left = Number(line.slice(0, nl));
      const pump = (): void => {
        while (left > 0 && !sock.destroyed) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void sock.once("drain", pump);
        }
      };
      pump();
    };
    sock.on("data", onData);
  });
  return { ...s, tag: undefined };
}
