// Loopback TCP echo servers that stand behind a target node. Two flavours:
//   exact:  every byte received is written back unchanged (half-close is honoured: when the client
//           ends its side, the server ends its side after echoing).
//   tagged: writes "<tag>:" first, then echoes exactly like `exact`. A test can therefore prove
//           WHICH target answered and that the bytes came back unchanged:
//           reply === `${tag}:` + sent.
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

export async function startEchoServer(opts: { tag?: string; port?: number } = {}): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    count++;
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => sock.destroy());
    if (opts.tag !== undefined) sock.write(`${opts.tag}:`);
    sock.on("data", (b: Buffer) => sock.write(b));
    sock.on("end", () => sock.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: LOOPBACK, port: opts.port ?? 0 }, () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr !== "object") throw new Error("echo server has no address");
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    handle.release();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const handle = onCleanup(`echo server :${addr.port}`, stop, () => server.close());
  return { port: addr.port, tag: opts.tag, accepted: () => count, stop };
}
