// Transport framing (RFC 6587 / RFC 5425 / RFC 5426).
// - octet counting: `MSG-LEN SP SYSLOG-MSG`, immune to anything inside the message;
// - LF (non-transparent): SYSLOG-MSG LF, with CR, LF and NUL inside escaped as `\r`, `\n`, `\0`
//   so that no logged text can end a frame early and forge a second event;
// - UDP: one message per datagram, no trailer, capped in size.

export type Framing = "octet" | "lf";

/** `LEN SP MSG`. */
export function octetFrame(msg: Buffer): Buffer {
  const len = String(msg.length);
  const out = Buffer.allocUnsafe(len.length + 1 + msg.length);
  out.write(len, 0, "latin1");
  out[len.length] = 0x20;
  msg.copy(out, len.length + 1);
  return out;
}

function escapedLength(msg: Buffer): number {
  let n = msg.length;
  for (let i = 0; i < msg.length; i++) {
    const b = msg[i];
    if (b === 0x0a || b === 0x0d || b === 0x00) n++;
  }
  return n;
}

/** `MSG LF` with CR/LF/NUL in MSG replaced by two-character escapes. */
export function lfFrame(msg: Buffer): Buffer {
  const n = escapedLength(msg);
  const out = Buffer.allocUnsafe(n + 1);
  if (n === msg.length) {
    msg.copy(out, 0);
  } else {
    let o = 0;
    for (let i = 0; i < msg.length; i++) {
      const b = msg[i];
      if (b === 0x0a || b === 0x0d || b === 0x00) {
        out[o++] = 0x5c; // backslash
        out[o++] = b === 0x0a ? 0x6e : b === 0x0d ? 0x72 : 0x30; // n, r, 0
      } else out[o++] = b;
    }
  }
  out[n] = 0x0a;
  return out;
}

/**
 * A message as the formatters hand it over: bytes, or a JS string whose UTF-8 encoding is the
 * message (cheaper: a batch of strings is encoded to bytes in one go).
 */
export type Wire = string | Buffer;

/** A framed message and its size in bytes. */
export interface Frame {
  data: Wire;
  bytes: number;
}

const CONTROL = /[\r\n\0]/;
const CONTROL_G = /[\r\n\0]/g;
const ESC: Record<string, string> = { "\r": "\\r", "\n": "\\n", "\0": "\\0" };

/** Frames one message for a stream (octet or LF) or a datagram (`none`). */
export function frame(msg: Wire, framing: Framing | "none"): Frame {
  if (typeof msg !== "string") {
    const data = framing === "none" ? msg : framing === "lf" ? lfFrame(msg) : octetFrame(msg);
    return { data, bytes: data.length };
  }
  if (framing === "lf") {
    const text = (CONTROL.test(msg) ? msg.replace(CONTROL_G, (c) => ESC[c]) : msg) + "\n";
    return { data: text, bytes: Buffer.byteLength(text, "utf8") };
  }
  const n = Buffer.byteLength(msg, "utf8");
  if (framing === "none") return { data: msg, bytes: n };
  const len = String(n);
  return { data: len + " " + msg, bytes: len.length + 1 + n };
}

/** The bytes of several frames, encoded once. */
export function frameBytes(frames: readonly Frame[], total: number): Buffer {
  if (frames.length === 1) {
    const d = frames[0].data;
    return typeof d === "string" ? Buffer.from(d, "utf8") : d;
  }
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  let text = "";
  for (const f of frames) {
    if (typeof f.data === "string") text += f.data;
    else {
      if (text) off += out.write(text, off, "utf8"), (text = "");
      off += f.data.copy(out, off);
    }
  }
  if (text) out.write(text, off, "utf8");
  return out;
}

/** Largest UDP payload: 65,535 minus IP and UDP headers (RFC 768 / RFC 8200, no jumbograms). */
export const UDP_MAX_PAYLOAD = { ipv4: 65507, ipv6: 65527 } as const;
/** Default datagram cap: below a 1500-byte Ethernet MTU so nothing is IP-fragmented. */
export const UDP_DEFAULT_CAP = 1400;
