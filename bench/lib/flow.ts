// TCP clients for the data-plane benchmark. Each opens a fresh connection, optionally tunnels it with an
// HTTP/1.1 CONNECT (the client doing what Envoy does, for the "Tailscale proxy directly" path), and:
//   download(): asks a bulk source (tools/src/local/lab/echo.ts startSourceServer) for n bytes and counts them;
//   roundTrip(): sends one byte to an exact echo and waits for it to come back.
// Both time from the start of the TCP connect to the last byte, with performance.now(), and are bounded by a
// timeout; bytes are counted, never stored.
import net from "node:net";

export interface Path {
  host: string;
  port: number;
  /** "host:port" to CONNECT to through the proxy at host:port; absent for a plain TCP connection. */
  tunnel?: string;
}

/**
 * Connects (and tunnels), calls onReady once bytes can flow and onData for every tunnel byte after that;
 * resolves when onData calls done(), rejects on error, early close or timeout. The socket is always destroyed.
 */
function open(
  path: Path,
  timeoutMs: number,
  onReady: (sock: net.Socket) => void,
  onData: (b: Buffer, done: () => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: path.host, port: path.port, noDelay: true });
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `${path.host}:${path.port}${path.tunnel ? ` CONNECT ${path.tunnel}` : ""}: timed out after ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    let head = path.tunnel ? Buffer.alloc(0) : undefined;
    sock.on("connect", () => {
      if (path.tunnel) sock.write(`CONNECT ${path.tunnel} HTTP/1.1\r\nHost: ${path.tunnel}\r\n\r\n`);
      else onReady(sock);
    });
    sock.on("data", (b: Buffer) => {
      if (head) {
        head = Buffer.concat([head, b]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        const status = head.subarray(0, head.indexOf("\r\n")).toString("latin1");
        if (!/^HTTP\/1\.[01] 2\d\d/.test(status)) return finish(new Error(`CONNECT ${path.tunnel}: ${status}`));
        const rest = head.subarray(end + 4);
        head = undefined;
        onReady(sock);
        if (rest.length) onData(rest, () => finish());
        return;
      }
      onData(b, () => finish());
    });
    sock.on("error", (e) => finish(e));
    sock.on("close", () => finish(new Error(`${path.host}:${path.port}: closed early`)));
  });
}

/** Milliseconds from connect to the n-th byte of a download of n bytes. */
export async function download(path: Path, bytes: number, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  let got = 0;
  let t1 = 0;
  await open(
    path,
    timeoutMs,
    (sock) => sock.write(`${bytes}\n`),
    (b, done) => {
      got += b.length;
      if (got >= bytes) (t1 = performance.now()), done();
    },
  );
  return t1 - t0;
}

/** Milliseconds from connect (through the tunnel, if any) to one byte echoed back. */
export async function roundTrip(path: Path, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  let t1 = 0;
  await open(
    path,
    timeoutMs,
    (sock) => sock.write("x"),
    (_b, done) => ((t1 = performance.now()), done()),
  );
  return t1 - t0;
}
