// Writing text and bytes into a Buffer at a position, for the formatters that write messages
// straight into the sender's buffers (see frame-encoder.ts). None of these checks room byte by
// byte: stores past the end of a typed array are dropped, and a returned position beyond
// buf.length says "did not fit" (the caller then tries again with more room).

/**
 * Buffer's own encoders, which `buf.write(s, pos, encoding)` calls after checking its arguments
 * and looking the encoding up: called directly, one native call per string and nothing else
 * (the wrapper was 6 % of bench:syslog's profile). They exist on every Buffer since Node.js 0.x.
 */
interface NativeWrites {
  utf8Write(s: string, offset: number, length?: number): number;
  latin1Write(s: string, offset: number, length?: number): number;
}

/** Writes `s` as UTF-8 at `pos`; the end, or beyond buf.length when it may not all have fit. */
export function putUtf8(buf: Buffer, pos: number, s: string): number {
  const len = s.length;
  if (len === 0) return pos;
  const room = buf.length - pos;
  if (room <= 0) return buf.length + 1;
  const n = (buf as Buffer & NativeWrites).utf8Write(s, pos, room); // whole characters only
  // Complete when no character could have been cut off: 3 bytes per UTF-16 unit at most, or room
  // for a 4-byte character left over.
  return len * 3 <= room || room - n >= 4 ? pos + n : buf.length + 1;
}

/** Writes a string known to be Latin-1 (ASCII in practice) one byte per character. */
export function putLatin1(buf: Buffer, pos: number, s: string): number {
  const len = s.length;
  if (len > 24) {
    if (pos + len > buf.length) return buf.length + 1;
    return pos + (buf as Buffer & NativeWrites).latin1Write(s, pos, len);
  }
  for (let i = 0; i < len; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + len;
}

/** Copies `src` at `pos`; beyond buf.length when it does not fit. */
export function putBytes(buf: Buffer, pos: number, src: Uint8Array): number {
  const len = src.length;
  if (pos + len > buf.length) return buf.length + 1;
  if (len > 32) buf.set(src, pos);
  else for (let i = 0; i < len; i++) buf[pos + i] = src[i];
  return pos + len;
}

let scratch = Buffer.allocUnsafeSlow(4096);

/**
 * What `write` writes from position 0, as a Buffer of its own: for callers that want one message
 * as bytes (tests, the editor preview) rather than frames in the sender's buffers.
 */
export function writeBytes(write: (buf: Buffer, pos: number) => number): Buffer {
  for (;;) {
    const end = write(scratch, 0);
    if (end <= scratch.length) {
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      return out;
    }
    scratch = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, end));
  }
}
