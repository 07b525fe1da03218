// Minimal HTTP/1.1 CONNECT client: open a tunnel through an HTTP proxy, send bytes and collect what
// comes back. Reports the proxy's status line and headers on failure.
// Observed with tailscaled's proxy (v1.102.5): a client half-close (FIN) tears the whole tunnel
// down before the reply arrives, so by default we do NOT half-close but read `expectBytes`; and a
// failed dial is answered "500 Internal Server Error" + Tailscale-Connect-Error header with the
// HTTP connection kept alive, so a non-2xx answer is complete once Content-Length bytes arrived.
import net from "node:net";
import { LOOPBACK } from "./ports.ts";

export interface ConnectResult {
  /** Proxy response status (e.g. 200, 500, 502), or 0 if the proxy closed before answering. */
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  /** Tunnel bytes (2xx) or response body bytes (non-2xx) received until the connection closed. */
  body: Buffer;
  /** How the exchange ended: expectBytes received, full non-2xx response read, peer closed, ... */
  ended: "complete" | "response" | "closed" | "timeout" | "error";
  error?: string;
  elapsedMs: number;
}

export interface ConnectOptions {
  proxyPort: number;
  proxyHost?: string;
  /** "host:port" as it goes in the CONNECT line. */
  target: string;
  payload?: string | Buffer;
  /** End our side after sending (default false; see the note at the top). */
  halfClose?: boolean;
  /** Finish as soon as this many tunnel bytes have arrived. */
  expectBytes?: number;
  timeoutMs?: number;
}

export function connectThroughProxy(opts: ConnectOptions): Promise<ConnectResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const sock = net.connect({ host: opts.proxyHost ?? LOOPBACK, port: opts.proxyPort, allowHalfOpen: true });
    let buf = Buffer.alloc(0);
    let head: { status: number; statusLine: string; headers: Record<string, string> } | undefined;
    let body = Buffer.alloc(0);
    let done = false;
    const finish = (ended: ConnectResult["ended"], error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const r: ConnectResult = {
        status: head?.status ?? 0,
        statusLine: head?.statusLine ?? "",
        headers: head?.headers ?? {},
        body,
        ended,
        elapsedMs: Date.now() - started,
      };
      if (error !== undefined) r.error = error;
      resolve(r);
    };
    const timer = setTimeout(() => finish("timeout"), opts.timeoutMs ?? 15_000);
    sock.once("connect", () => sock.write(`CONNECT ${opts.target} HTTP/1.1\r\nHost: ${opts.target}\r\n\r\n`));
    const checkDone = (): void => {
      if (head === undefined) return;
      const ok2xx = head.status >= 200 && head.status < 300;
      if (ok2xx && opts.expectBytes !== undefined && body.length >= opts.expectBytes) finish("complete");
      const cl = Number(head.headers["content-length"] ?? NaN);
      if (!ok2xx && Number.isFinite(cl) && body.length >= cl) finish("response");
    };
    sock.on("data", (chunk: Buffer) => {
      if (head !== undefined) {
        body = Buffer.concat([body, chunk]);
        checkDone();
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      const idx = buf.indexOf("\r\n\r\n");
      if (idx < 0) return;
      const lines = buf.subarray(0, idx).toString("latin1").split("\r\n");
      const statusLine = lines[0] ?? "";
      const status = Number(statusLine.split(" ")[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const c = l.indexOf(":");
        if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      head = { status, statusLine, headers };
      body = buf.subarray(idx + 4);
      if (status >= 200 && status < 300) {
        if (opts.payload !== undefined) sock.write(opts.payload);
        if (opts.halfClose ?? false) sock.end();
      }
      checkDone();
    });
    sock.on("end", () => finish("closed"));
    sock.on("close", () => finish("closed"));
    sock.on("error", (err) => finish("error", err.message));
  });
}

export interface Tunnel {
  readonly status: number;
  /** Write bytes and resolve once `expectBytes` more bytes have arrived (or reject on close/timeout). */
  exchange(data: Buffer | string, expectBytes: number, timeoutMs?: number): Promise<Buffer>;
  /** Bytes received so far (including any not yet consumed by exchange). */
  received(): Buffer;
  close(): void;
  readonly closed: Promise<void>;
}

/** Open a long-lived CONNECT tunnel (throws unless the proxy answers 2xx). */
export function openTunnel(opts: Omit<ConnectOptions, "payload" | "halfClose">): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: opts.proxyHost ?? LOOPBACK, port: opts.proxyPort, allowHalfOpen: true });
    let buf = Buffer.alloc(0);
    let open = false;
    let consumed = 0;
    let waiter: (() => void) | undefined;
    let isClosed = false;
    const closed = new Promise<void>((r) =>
      sock.once("close", () => {
        isClosed = true;
        waiter?.();
        r();
      }),
    );
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`CONNECT ${opts.target}: no answer within ${opts.timeoutMs ?? 15_000} ms`));
    }, opts.timeoutMs ?? 15_000);
    sock.once("connect", () => sock.write(`CONNECT ${opts.target} HTTP/1.1\r\nHost: ${opts.target}\r\n\r\n`));
    sock.on("error", (err) => {
      clearTimeout(timer);
      if (!open) reject(err);
    });
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!open) {
        const idx = buf.indexOf("\r\n\r\n");
        if (idx < 0) return;
        clearTimeout(timer);
        const statusLine = buf.subarray(0, buf.indexOf("\r\n")).toString("latin1");
        const status = Number(statusLine.split(" ")[1] ?? 0);
        if (status < 200 || status >= 300) {
          sock.destroy();
          reject(new Error(`CONNECT ${opts.target}: proxy answered ${statusLine}`));
          return;
        }
        open = true;
        buf = buf.subarray(idx + 4);
        resolve({
          status,
          exchange: (data, expectBytes, timeoutMs = 15_000) =>
            new Promise<Buffer>((res, rej) => {
              const want = consumed + expectBytes;
              const t = setTimeout(() => {
                waiter = undefined;
                rej(
                  new Error(
                    `tunnel to ${opts.target}: got ${buf.length - consumed}/${expectBytes} bytes in ${timeoutMs} ms`,
                  ),
                );
              }, timeoutMs);
              waiter = () => {
                if (buf.length >= want) {
                  clearTimeout(t);
                  waiter = undefined;
                  const out = buf.subarray(consumed, want);
                  consumed = want;
                  res(out);
                } else if (isClosed) {
                  clearTimeout(t);
                  waiter = undefined;
                  rej(new Error(`tunnel to ${opts.target} closed after ${buf.length - consumed}/${expectBytes} bytes`));
                }
              };
              sock.write(data);
              waiter();
            }),
          received: () => buf,
          close: () => sock.destroy(),
          closed,
        });
        return;
      }
      waiter?.();
    });
  });
}
