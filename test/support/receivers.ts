// In-process syslog receivers for unit tests: TCP/TLS (framed) and UDP, on loopback, port 0.

import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";
import { FrameSplitter } from "../../support/syslog-frames";

export interface StreamReceiver {
  port: number;
  frames: Buffer[];
  /** The frames of each accepted connection, in accept order. */
  connections: Buffer[][];
  /** Every byte received, in arrival order (all connections). */
  raw(): Buffer;
  sockets: Set<net.Socket>;
  /**
   * Resolves once at least n frames arrived; rejects after timeoutMs (a lost message fails the test
   * instead of hanging its file) or as soon as the byte stream could not be split into frames.
   */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Waiters for "at least n items", each failing after its own timeout or on a stream error. */
function counter(what: string, count: () => number): { check(): void; fail(e: Error): void; waitFor(n: number, timeoutMs?: number): Promise<void> } {
  let waiters: Array<{ n: number; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = [];
  let broken: Error | undefined;
  return {
    check() {
      const ready = waiters.filter((w) => count() >= w.n);
      waiters = waiters.filter((w) => count() < w.n);
      for (const w of ready) {
        clearTimeout(w.timer);
        w.resolve();
      }
    },
    fail(e) {
      broken ??= e;
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(e);
      }
      waiters = [];
    },
    waitFor(n, timeoutMs = 20_000) {
      if (count() >= n) return Promise.resolve();
      if (broken) return Promise.reject(broken);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w.timer !== timer);
          reject(new Error(`receiver got ${count()} of ${n} ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push({ n, resolve, reject, timer });
      });
    },
  };
}

export async function streamReceiver(
  opts: {
    framing?: "octet" | "lf";
    tls?: tls.TlsOptions;
    port?: number;
    host?: string;
    onFrame?: (f: Buffer, s: net.Socket) => void;
  } = {},
): Promise<StreamReceiver> {
  const frames: Buffer[] = [];
  const connections: Buffer[][] = [];
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const arrived = counter("frames", () => frames.length);
  const onConn = (s: net.Socket): void => {
    sockets.add(s);
    const mine: Buffer[] = [];
    connections.push(mine);
    const splitter = new FrameSplitter({
      framing: opts.framing ?? "octet",
      onFrame: (f) => {
        frames.push(f);
        mine.push(f);
        opts.onFrame?.(f, s);
      },
    });
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      try {
        splitter.push(d);
      } catch (e) {
        arrived.fail(e as Error);
        s.destroy();
        return;
      }
      arrived.check();
    });
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  };
  const server = opts.tls ? tls.createServer(opts.tls, onConn) : net.createServer(onConn);
  server.on("tlsClientError", () => {});
  server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    frames,
    connections,
    raw: () => Buffer.concat(chunks),
    sockets,
    waitFor: arrived.waitFor,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export async function udpReceiver(
  type: "udp4" | "udp6" = "udp4",
  port = 0,
): Promise<{ port: number; datagrams: Buffer[]; waitFor(n: number, timeoutMs?: number): Promise<void>; close(): Promise<void> }> {
  const sock = dgram.createSocket(type);
  const datagrams: Buffer[] = [];
  const arrived = counter("datagrams", () => datagrams.length);
  let closed: Promise<void> | undefined;
  sock.on("message", (m) => {
    datagrams.push(m);
    arrived.check();
  });
  sock.bind(port, type === "udp6" ? "::1" : "127.0.0.1");
  await once(sock, "listening");
  return {
    port: sock.address().port,
    datagrams,
    waitFor: arrived.waitFor,
    close: () => (closed ??= new Promise<void>((r) => sock.close(() => r()))),
  };
}

/** A loopback port that nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
