// HOSTNAME, APP-NAME, PROCID and MSGID (RFC 5424 §6.2.4-6.2.7): PRINTUSASCII only (33..126),
// length caps, NILVALUE `-` when empty. A space would shift every following field, so anything
// outside the range becomes `_` (one per code point, so an emoji is one `_`, not two).

export const HEADER_LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const;

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
