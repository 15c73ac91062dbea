// A small syslog receiver for the demo: what a SIEM's TCP listener would see.
//
// Accepts RFC 6587 framing the way rsyslog's imtcp does: a frame that starts with a digit is
// octet-counted ("<len> <msg>", len in bytes), anything else is read up to the next LF
// (non-transparent framing). Each message is handed to onMessage and appended, one per line, to
// an optional file. A malformed length closes that connection with an error, as a strict SIEM would.

import net from "node:net";
import fs from "node:fs";

/** Longest frame accepted (bytes); rsyslog's default maxMessageSize is 8k, SIEMs allow more. */
const MAX_FRAME = 1024 * 1024;
/** "1048576" has 7 digits; a longer length field cannot be valid. */
const MAX_LEN_DIGITS = String(MAX_FRAME).length;

/** Splits a TCP byte stream into syslog messages (octet-counted or LF-terminated). */
export class SyslogFrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the complete messages found. Throws on a malformed frame. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    let pos = 0;
    for (;;) {
      if (pos >= this.buf.length) break;
      const first = this.buf[pos];
      if (first >= 0x30 && first <= 0x39) {
        const sp = this.buf.indexOf(0x20, pos);
        const digitsEnd = sp === -1 ? this.buf.length : sp;
        for (let i = pos; i < digitsEnd; i++) {
          const c = this.buf[i];
          if (c < 0x30 || c > 0x39 || i - pos >= MAX_LEN_DIGITS) {
            throw new Error(`bad octet-counted frame: length field "${this.buf.subarray(pos, Math.min(digitsEnd, pos + 12)).toString("latin1")}"`);
          }
        }
        if (sp === -1) break; // length not complete yet
        const len = Number(this.buf.subarray(pos, sp).toString("latin1"));
        if (first === 0x30 || len > MAX_FRAME) throw new Error(`bad octet-counted frame: length ${len}`);
        if (sp + 1 + len > this.buf.length) break; // body not complete yet
        out.push(this.buf.subarray(sp + 1, sp + 1 + len));
        pos = sp + 1 + len;
      } else {
        const lf = this.buf.indexOf(0x0a, pos);
        if (lf === -1) {
          if (this.buf.length - pos > MAX_FRAME) throw new Error(`frame without LF longer than ${MAX_FRAME} bytes`);
          break;
        }
        const end = lf > pos && this.buf[lf - 1] === 0x0d ? lf - 1 : lf;
        if (end > pos) out.push(this.buf.subarray(pos, end));
        pos = lf + 1;
      }
    }
    // Copy the remainder so the returned frames do not pin a growing buffer.
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(pos));
    return out;
  }

  /** Bytes received but not yet part of a complete message. */
  get pending(): number {
    return this.buf.length;
  }
}

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
    const decoder = new SyslogFrameDecoder();
    socket.on("data", (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        opts.onError?.(err as Error, peer);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        const line = f.toString("utf8");
        count++;
        // One message per line in the file: escape the (rare) embedded line breaks.
        out?.write(line.replace(/\r?\n/g, "\\n") + "\n");
        opts.onMessage?.(line);
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
