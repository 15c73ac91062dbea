// Transport framing (RFC 6587 / RFC 5425 / RFC 5426). The sender frames in place in its own
// buffers (frame-encoder.ts); these Buffer versions say the same for one message.
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

/** A message as callers hand it to SyslogSender.send: bytes, or a JS string sent as UTF-8. */
export type Wire = string | Buffer;
