// Allocates free loopback ports. The OS picks a free port (bind to port 0), we close the socket and
// hand the number out. Ports handed out by this process are remembered so two callers never get the
// same one, even if the first has not bound it yet.
import net from "node:net";
import dgram from "node:dgram";

export const LOOPBACK = "127.0.0.1";

const handedOut = new Set<number>();

function tcpProbe(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no port from listen(0)"))));
    });
  });
}

function udpProbe(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket("udp4");
    sock.unref();
    sock.once("error", reject);
    sock.bind({ address: host, port: 0, exclusive: true }, () => {
      const port = sock.address().port;
      sock.close(() => resolve(port));
    });
  });
}

async function fresh(probe: (host: string) => Promise<number>, host: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await probe(host);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("could not find a fresh loopback port after 50 tries");
}

/** A TCP port that is free on 127.0.0.1 right now and not yet handed out by this process. */
export function freeTcpPort(host: string = LOOPBACK): Promise<number> {
  return fresh(tcpProbe, host);
}

/** A UDP port that is free on 127.0.0.1 right now (for STUN). */
export function freeUdpPort(host: string = LOOPBACK): Promise<number> {
  return fresh(udpProbe, host);
}

/**
 * n distinct free TCP ports, none handed out before. All probe sockets stay open until n are found, so the
 * OS gives a different port to each (fast even for thousands of ports).
 */
export async function freeTcpPorts(n: number, host: string = LOOPBACK): Promise<number[]> {
  const servers: net.Server[] = [];
  const out: number[] = [];
  try {
    while (out.length < n) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>(
        (resolve, reject) => (srv.once("error", reject), srv.listen({ host, port: 0, exclusive: true }, resolve)),
      );
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      if (port > 0 && !handedOut.has(port)) handedOut.add(port), out.push(port);
    }
    return out;
  } finally {
    await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  }
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host: string = LOOPBACK, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}
