// In-process syslog receivers for unit tests: TCP/TLS (framed) and UDP, on loopback, port 0.

import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";
import { FrameReader } from "./frame-reader";

export interface StreamReceiver {
  port: number;
  frames: Buffer[];
  sockets: Set<net.Socket>;
  /** Resolves once at least n frames arrived. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function streamReceiver(opts: {
  framing?: "octet" | "lf";
  tls?: tls.TlsOptions;
  port?: number;
  host?: string;
  onFrame?: (f: Buffer, s: net.Socket) => void;
} = {}): Promise<StreamReceiver> {
  const frames: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let waiters: Array<{ n: number; r: () => void }> = [];
  const onConn = (s: net.Socket): void => {
    sockets.add(s);
    const reader = new FrameReader(opts.framing ?? "octet");
    s.on("data", (d: Buffer) => {
      for (const f of reader.push(d)) {
        frames.push(f);
        opts.onFrame?.(f, s);
      }
      waiters = waiters.filter((w) => (frames.length >= w.n ? (w.r(), false) : true));
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
    sockets,
    waitFor: (n) => (frames.length >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, r }))),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export async function udpReceiver(type: "udp4" | "udp6" = "udp4"): Promise<{ port: number; datagrams: Buffer[]; waitFor(n: number): Promise<void>; close(): Promise<void> }> {
  const sock = dgram.createSocket(type);
  const datagrams: Buffer[] = [];
  let waiters: Array<{ n: number; r: () => void }> = [];
  sock.on("message", (m) => {
    datagrams.push(m);
    waiters = waiters.filter((w) => (datagrams.length >= w.n ? (w.r(), false) : true));
  });
  sock.bind(0, type === "udp6" ? "::1" : "127.0.0.1");
  await once(sock, "listening");
  return {
    port: sock.address().port,
    datagrams,
    waitFor: (n) => (datagrams.length >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, r }))),
    close: () => new Promise<void>((r) => sock.close(() => r())),
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
