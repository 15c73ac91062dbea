// A small syslog receiver for the demo: what a SIEM's TCP listener would see.
//
// Accepts RFC 6587 framing the way rsyslog's imtcp does (support/syslog-frames.ts, "auto"): a frame
// that starts with a digit is octet-counted, anything else is read up to the next LF. As a lenient
// listener does, it drops a message's trailing CR (CRLF line ends) and skips empty lines. Each message is
// handed to onMessage and appended, one per line, to an optional file. A malformed length closes
// that connection with an error, as a strict SIEM would.

import net from "node:net";
import fs from "node:fs";
import { FrameSplitter } from "../support/syslog-frames";

/** Longest frame accepted (bytes); rsyslog's default maxMessageSize is 8k, SIEMs allow more. */
const MAX_FRAME = 1024 * 1024;

export interface SyslogReceiverOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Appends every message, one per line, to this file. */
  file?: string;
  /** Called with every message (UTF-8 text). */
  onMessage?: (message: string) => void;
  /** Called when a connection is closed because of bad framing. */
  onError?: (err: Error, peer: string) => void;
}

export interface SyslogReceiver {
  readonly host: string;
  readonly port: number;
  /** Messages received so far. */
  readonly count: number;
  close(): Promise<void>;
}

/** Starts a TCP syslog listener; resolves once it is listening. */
export async function startSyslogReceiver(opts: SyslogReceiverOptions = {}): Promise<SyslogReceiver> {
  const host = opts.host ?? "127.0.0.1";
  const out = opts.file ? fs.createWriteStream(opts.file, { flags: "a" }) : undefined;
  const sockets = new Set<net.Socket>();
  let count = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const splitter = new FrameSplitter({
      framing: "auto",
      maxFrame: MAX_FRAME,
      onFrame: (f) => {
        const end = f.length > 0 && f[f.length - 1] === 0x0d ? f.length - 1 : f.length;
        if (end === 0) return;
        const line = f.toString("utf8", 0, end);
        count++;
        // One message per line in the file: escape the (rare) embedded line breaks.
        out?.write(line.replace(/\r?\n/g, "\\n") + "\n");
        opts.onMessage?.(line);
      },
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (err) {
        opts.onError?.(err as Error, peer);
        socket.destroy();
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host,
    port,
    get count() {
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          if (out) out.end(() => resolve());
          else resolve();
        });
      }),
  };
}
