// Channels to one syslog receiver: TCP, TLS (≥ 1.2, verification on by default), connected UDP
// (v4/v6) and RELP (plain or over TLS, in relp.ts). A channel is single-use: once it closes, the
// sender opens a new one.

import dgram from "node:dgram";
import dns from "node:dns";
import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { isCertificateCode } from "./faults";

export type Protocol = "udp" | "tcp" | "tls" | "relp";

export interface Endpoint {
  host: string;
  port: number;
}

export interface TlsSettings {
  /** PEM CA bundle; the system roots when absent. */
  ca?: string | Buffer;
  /** PEM client certificate (mutual TLS). */
  cert?: string | Buffer;
  /** PEM client key (mutual TLS). */
  key?: string | Buffer;
  passphrase?: string;
  /** Name for SNI and the certificate name check; defaults to the host unless it is an IP. */
  servername?: string;
  /** Verify the receiver's certificate. Default true; false is for lab use only. */
  rejectUnauthorized?: boolean;
}

export interface ChannelOptions {
  protocol: Protocol;
  endpoint: Endpoint;
  /** TLS material: always used for "tls"; for "relp", its presence means RELP over TLS. */
  tls?: TlsSettings;
  connectTimeoutMs?: number;
  keepAliveMs?: number;
}

/** A failure talking to a receiver; `endpoint` names it in every message. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    message: string,
    readonly endpoint: Endpoint,
    readonly code?: string,
  ) {
    super(message);
  }
}

export const where = (e: Endpoint): string => (net.isIPv6(e.host) ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

/** Whether the stream is TLS: syslog over TLS, or RELP given TLS material. */
export const secure = (opts: Pick<ChannelOptions, "protocol" | "tls">): boolean =>
  opts.protocol === "tls" || (opts.protocol === "relp" && opts.tls !== undefined);

/** `TCP host:port`, `RELP/TLS host:port` ...: how every message names the receiver. */
export const label = (opts: Pick<ChannelOptions, "protocol" | "tls" | "endpoint">): string =>
  `${opts.protocol === "relp" && opts.tls ? "RELP/TLS" : opts.protocol.toUpperCase()} ${where(opts.endpoint)}`;

export function describe(err: Error & { code?: string; reason?: string }, opts: ChannelOptions): TransportError {
  if (err instanceof TransportError) return err;
  const w = label(opts);
  const code = err.code;
  let text: string;
  if (code && isCertificateCode(code)) text = `${w}: receiver certificate rejected (${err.message})`;
  else if (code === "ECONNREFUSED") text = `${w}: connection refused`;
  else if (code === "ENOTFOUND" || code === "EAI_AGAIN") text = `${w}: host not found`;
  else if (code === "ETIMEDOUT") text = `${w}: connect timed out`;
  else if (typeof err.reason === "string")
    text = `${w}: TLS handshake failed (${err.reason})`; // OpenSSL's text is a wall of hex
  else text = `${w}: ${err.message}`;
  return new TransportError(text, opts.endpoint, code);
}

/**
 * One open connection. Events: `drain` (stream may take more), `close` (error or undefined when
 * we ended it). `write` returns false when the caller should wait for `drain`.
 */
export interface Channel extends EventEmitter {
  readonly datagram: boolean;
  readonly endpoint: Endpoint;
  /**
   * Writes frames. `cb` runs once they are confirmed: by the kernel for syslog, by the
   * collector's answers for RELP. A channel that confirms frame by frame (RELP) also calls
   * `progress(n)` when the first n frames of this write are confirmed.
   */
  write(buf: Buffer, cb: (err?: Error | null) => void, progress?: (frames: number) => void): boolean;
  /** Ends gracefully (FIN / TLS close_notify) and resolves once closed. */
  end(): Promise<void>;
  destroy(err?: Error): void;
}

/**
 * Ends a stream channel: `begin` starts the goodbye (FIN, or RELP's close first); resolves on the
 * channel's `close`, destroying the socket if that takes more than 2 s.
 */
export function endStream(ch: EventEmitter, socket: net.Socket, begin: () => void): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => socket.destroy(), 2000);
    ch.once("close", () => {
      clearTimeout(t);
      resolve();
    });
    begin();
  });
}

class StreamChannel extends EventEmitter implements Channel {
  readonly datagram = false;
  private closedWith: Error | undefined;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly opts: ChannelOptions,
  ) {
    super();
    this.endpoint = opts.endpoint;
    // Syslog receivers do not talk back; reading is how a FIN from a restarted receiver is seen
    // at once instead of on the next write.
    socket.on("data", () => {});
    socket.on("end", () => socket.destroy(new TransportError(`${label(opts)}: receiver closed the connection`, opts.endpoint, "EPEERCLOSED")));
    socket.on("error", (err) => {
      this.closedWith ??= err instanceof TransportError ? err : describe(err, opts);
    });
    socket.on("drain", () => this.emit("drain"));
    socket.on("close", () => {
      this.closed = true;
      this.emit("close", this.closedWith);
    });
  }
  readonly endpoint: Endpoint;

  write(buf: Buffer, cb: (err?: Error | null) => void): boolean {
    return this.socket.write(buf, (err) => {
      if (err) return cb(describe(err, this.opts));
      // A write still queued when the socket is destroyed (peer reset) is dropped, yet Node 20
      // calls it back without an error: only a write done while the socket is up was taken by the kernel.
      if (this.socket.destroyed) return cb(this.closedWith ?? new TransportError(`${label(this.opts)}: connection closed during a write`, this.opts.endpoint));
      cb(null);
    });
  }

  end(): Promise<void> {
    return this.closed ? Promise.resolve() : endStream(this, this.socket, () => this.socket.end());
  }

  destroy(err?: Error): void {
    if (err) this.closedWith ??= err;
    this.socket.destroy();
  }
}

class DatagramChannel extends EventEmitter implements Channel {
  readonly datagram = true;
  private closed = false;
  private closedWith: Error | undefined;

  constructor(
    private readonly socket: dgram.Socket,
    readonly endpoint: Endpoint,
    private readonly opts: ChannelOptions,
  ) {
    super();
    socket.on("error", (err) => this.destroy(describe(err, opts)));
    socket.on("close", () => {
      this.closed = true;
      this.emit("close", this.closedWith);
    });
  }

  write(buf: Buffer, cb: (err?: Error | null) => void): boolean {
    this.socket.send(buf, (err) => cb(err ? describe(err, this.opts) : null));
    return true;
  }

  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.once("close", () => resolve());
      this.socket.close();
    });
  }

  destroy(err?: Error): void {
    if (this.closed) return;
    if (err) this.closedWith ??= err;
    try {
      this.socket.close();
    } catch {
      // already closing
    }
  }
}

function withTimeout<T>(start: () => Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    start().then(resolve, reject);
  }).finally(() => clearTimeout(timer));
}

const TLS13_PROBATION_MS = 250;

/**
 * A connected TCP or TLS socket to the receiver (TLS when `secure(opts)`), with no-delay and
 * keep-alive set; rejects with a TransportError. Used by the syslog stream channel and by RELP.
 */
export function connectStream(opts: ChannelOptions): Promise<net.Socket> {
  const { host, port } = opts.endpoint;
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  let socket: net.Socket;
  return withTimeout(
    () =>
      new Promise<net.Socket>((resolve, reject) => {
        const ready = (): void => {
          socket.removeListener("error", onError);
          socket.setNoDelay(true);
          socket.setKeepAlive(true, opts.keepAliveMs ?? 30_000);
          resolve(socket);
        };
        const onError = (err: Error): void => {
          socket.destroy();
          reject(describe(err, opts));
        };
        if (secure(opts)) {
          const t = opts.tls ?? {};
          socket = tls.connect({
            host,
            port,
            servername: t.servername || (net.isIP(host) ? undefined : host),
            ca: t.ca || undefined,
            cert: t.cert || undefined,
            key: t.key || undefined,
            passphrase: t.passphrase || undefined,
            rejectUnauthorized: t.rejectUnauthorized !== false,
            minVersion: "TLSv1.2",
          });
          // In TLS 1.3 the client finishes its handshake before the server has checked the client
          // certificate; a refusal arrives as an alert afterwards. Frames written in between would
          // be confirmed yet lost, so the channel is ready only once the server sent its session
          // ticket (sent after a successful handshake) or a short probation passed quietly.
          socket.once("secureConnect", () => {
            const s = socket as tls.TLSSocket;
            if (s.getProtocol() !== "TLSv1.3") return ready();
            const t = setTimeout(go, TLS13_PROBATION_MS);
            // Writing from inside the 'session' callback corrupts the record stream (bad record
            // MAC, seen on Node 20), so readiness is deferred to the next turn.
            function go(): void {
              clearTimeout(t);
              s.removeListener("session", go);
              setImmediate(() => {
                if (!s.destroyed) ready();
              });
            }
            s.once("session", go);
          });
        } else {
          socket = net.connect({ host, port });
          socket.once("connect", ready);
        }
        socket.on("error", onError);
      }),
    timeoutMs,
    () => {
      socket.destroy();
      return new TransportError(`${label(opts)}: no connection within ${timeoutMs} ms`, opts.endpoint, "ETIMEDOUT");
    },
  );
}

async function openStream(opts: ChannelOptions): Promise<Channel> {
  return new StreamChannel(await connectStream(opts), opts);
}

async function openDatagram(opts: ChannelOptions): Promise<Channel> {
  const { host, port } = opts.endpoint;
  let family = net.isIP(host);
  let address = host;
  if (family === 0) {
    try {
      const r = await dns.promises.lookup(host);
      family = r.family;
      address = r.address;
    } catch (err) {
      throw describe(err as Error, opts);
    }
  }
  const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
  return new Promise<Channel>((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(describe(err, opts));
    };
    socket.once("error", onError);
    // A connected socket reports ICMP "port unreachable" on later sends: a weak health signal.
    socket.connect(port, address, () => {
      socket.removeListener("error", onError);
      resolve(new DatagramChannel(socket, opts.endpoint, opts));
    });
  });
}

/** Opens a syslog channel (UDP, TCP, TLS; RELP is openRelp's); rejects with a TransportError that names the receiver. */
export function openChannel(opts: ChannelOptions): Promise<Channel> {
  return opts.protocol === "udp" ? openDatagram(opts) : openStream(opts);
}
