// MSG handling shared by both formats: body text from a string/Buffer/object, the UTF-8 BOM
// policy, cutting a body to a byte budget without splitting a UTF-8 character, and joining a
// formatted head and the body into one message within that budget.

import * as buffer from "node:buffer";
import { putBytes, putUtf8 } from "./byte-writer";
import { SyslogFormatError } from "./formatter-input";

export const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * `auto`: BOM only when MSG has non-ASCII text and does not start with `CEF:` or `LEEF:` (SIEM
 * detectors look for the literal prefix); `always`: RFC 5424's letter; `never`: what most receivers expect.
 */
export type BomPolicy = "auto" | "always" | "never";

/** Body bytes as well-formed UTF-8 (lone surrogates and invalid bytes become U+FFFD). */
export function bodyBytes(message: unknown): Buffer {
  if (message === undefined || message === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(message)) {
    // Re-encode only when needed: invalid UTF-8 must never reach the wire.
    const text = message.toString("utf8");
    return text.includes("\ufffd") ? Buffer.from(text, "utf8") : message;
  }
  const text = typeof message === "string" ? message : typeof message === "object" ? JSON.stringify(message) : String(message);
  return Buffer.from(text, "utf8");
}

// Native (SIMD) check on Node >= 18.15; a byte loop before that. Runs once per frame.
const nativeIsAscii = (buffer as { isAscii?: (b: Buffer) => boolean }).isAscii;

function isAscii(b: Buffer): boolean {
  if (nativeIsAscii) return nativeIsAscii(b);
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
  return true;
}

function startsWith(b: Buffer, prefix: string): boolean {
  return b.length >= prefix.length && b.toString("latin1", 0, prefix.length) === prefix;
}

/** Whether this body gets a BOM under the policy. */
export function wantsBom(body: Buffer, policy: BomPolicy): boolean {
  if (body.length === 0 || policy === "never") return false;
  if (policy === "always") return true;
  return !isAscii(body) && !startsWith(body, "CEF:") && !startsWith(body, "LEEF:");
}

/** Largest prefix of `buf` of at most `max` bytes that ends on a UTF-8 character boundary. */
export function utf8Prefix(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let i = Math.max(0, max);
  while (i > 0 && (buf[i] & 0xc0) === 0x80) i--;
  return buf.subarray(0, i);
}

/**
 * HEAD [SP [BOM] BODY], cutting BODY (never HEAD) to fit maxBytes. Shared by RFC 5424 and RFC
 * 3164 (whose head ends in `TAG:` and takes no BOM).
 */
export function assemble(head: string, body: Buffer, bom: BomPolicy, maxBytes: number | undefined, marker: string, sep = " "): Buffer {
  const headBytes = Buffer.from(head, "utf8"); // SD values may carry UTF-8
  if (body.length === 0) {
    if (maxBytes && headBytes.length > maxBytes) throw tooBig(headBytes.length, maxBytes);
    return headBytes;
  }
  const withBom = wantsBom(body, bom);
  const prefix = sep.length + (withBom ? BOM.length : 0);
  let msg = body;
  let tail: Buffer | null = null;
  if (maxBytes && headBytes.length + prefix + body.length > maxBytes) {
    tail = Buffer.from(marker, "utf8");
    const room = maxBytes - headBytes.length - prefix - tail.length;
    if (room < 0) throw tooBig(headBytes.length + prefix + tail.length, maxBytes);
    msg = utf8Prefix(body, room);
  }
  const out = Buffer.allocUnsafe(headBytes.length + prefix + msg.length + (tail ? tail.length : 0));
  let o = headBytes.copy(out, 0);
  o += out.write(sep, o, "latin1");
  if (withBom) o += BOM.copy(out, o);
  o += msg.copy(out, o);
  if (tail) tail.copy(out, o);
  return out;
}

/**
 * Writes `[SP [BOM] MSG]` at `pos`, after a head written from `headStart`: MSG from a string, Buffer
 * or object (see bodyBytes), the BOM per the policy, and HEAD + MSG within maxBytes (MSG cut on a
 * character boundary and marked, as assemble does). Returns the end (beyond buf.length: no room).
 */
export function putBody(buf: Buffer, headStart: number, pos: number, message: unknown, bom: BomPolicy, maxBytes: number | undefined, marker: string): number {
  let end = pos;
  let bodyStart = pos + 1;
  if (typeof message === "string") {
    if (message.length > 0) {
      buf[pos] = 0x20;
      if (bom === "always") {
        putBytes(buf, bodyStart, BOM);
        bodyStart += 3;
      }
      end = putUtf8(buf, bodyStart, message);
      if (end > buf.length) return end;
      // As many bytes as UTF-16 units: ASCII. Otherwise `auto` puts a BOM in front (moving MSG).
      if (bom === "auto" && end - bodyStart !== message.length && !message.startsWith("CEF:") && !message.startsWith("LEEF:")) {
        if (end + 3 > buf.length) return buf.length + 1;
        buf.copyWithin(bodyStart + 3, bodyStart, end);
        putBytes(buf, bodyStart, BOM);
        bodyStart += 3;
        end += 3;
      }
    }
  } else {
    const body = bodyBytes(message);
    if (body.length > 0) {
      buf[pos] = 0x20;
      if (wantsBom(body, bom)) bodyStart = putBytes(buf, bodyStart, BOM);
      end = putBytes(buf, bodyStart, body);
      if (end > buf.length) return end;
    }
  }
  if (!maxBytes || end - headStart <= maxBytes) return end;
  const headBytes = pos - headStart;
  if (end === pos) throw tooBig(headBytes, maxBytes);
  const prefix = bodyStart - pos;
  const tail = Buffer.byteLength(marker, "utf8");
  const room = maxBytes - headBytes - prefix - tail;
  if (room < 0) throw tooBig(headBytes + prefix + tail, maxBytes);
  let cut = bodyStart + room; // MSG is longer than room here
  while (cut > bodyStart && (buf[cut] & 0xc0) === 0x80) cut--;
  return putUtf8(buf, cut, marker);
}

function tooBig(need: number, max: number): SyslogFormatError {
  return new SyslogFormatError(`header and structured data need ${need} bytes, more than the maximum message size of ${max}`, "too-big");
}
