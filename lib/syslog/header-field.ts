// HOSTNAME, APP-NAME, PROCID and MSGID (RFC 5424 §6.2.4-6.2.7): PRINTUSASCII only (33..126),
// length caps, NILVALUE `-` when empty. A space would shift every following field, so anything
// outside the range becomes `_` (one per code point, so an emoji is one `_`, not two).

import { putLatin1 } from "./byte-writer";

/** Sanitises one header field; `-` for empty/null/undefined. */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export function headerField(value: unknown, maxLen: number): string {
  if (value === undefined || value === null) return "-";
  let s = typeof value === "string" ? value : String(value);
  if (s.length === 0) return "-";
  if (!printable(s)) {
    let out = "";
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      out += c >= 0x21 && c <= 0x7e ? ch : "_";
    }
    s = out;
  }
  return s.length > maxLen ? s.slice(0, maxLen) : s;
}

/** Writes the sanitised header field at `pos` (see headerField); returns the end. */
export function putHeaderField(buf: Buffer, pos: number, value: unknown, maxLen: number): number {
  if (typeof value === "string" && value.length > 0) {
    // Printable ASCII (the usual case) is copied as it is checked; anything else takes the long way.
    const n = value.length < maxLen ? value.length : maxLen;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x21 || c > 0x7e) return putLatin1(buf, pos, headerField(value, maxLen));
      buf[pos + i] = c;
    }
    return pos + n;
  }
  return putLatin1(buf, pos, headerField(value, maxLen));
}
