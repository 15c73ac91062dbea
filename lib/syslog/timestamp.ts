// Timestamps for syslog headers: the restricted RFC 3339 form of RFC 5424 §6.2.3 (T and Z upper
// case, 1..6 fraction digits, offset with a colon, no leap second) and the BSD form of RFC 3164.
// Sub-millisecond precision travels as integer microseconds, never through floating seconds.

/** What callers may pass: a Date, an RFC 3339 string, epoch milliseconds, or SLS-style seconds + nanos. */
export type TimestampInput = Date | string | number | { seconds: number; nanos?: number };

/** An instant with microsecond precision and the UTC offset (minutes) to render it in. */
export interface Instant {
  /** Whole milliseconds since the epoch (floor). */
  ms: number;
  /** Microseconds within that millisecond, 0..999. */
  micros: number;
  /** Digits of fraction to write: 0, 3 or 6. */
  digits: 0 | 3 | 6;
  /** Offset from UTC in minutes; 0 renders as `Z`. */
  offsetMin: number;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

function fromString(s: string): Instant | null {
  const m = RFC3339.exec(s.trim());
  if (!m) {
    const ms = Date.parse(s);
    return Number.isFinite(ms) ? { ms, micros: 0, digits: 3, offsetMin: 0 } : null;
  }
  const [, y, mo, d, h, mi, se, frac, z, sign, oh, om] = m;
  if (Number(se) > 59 || Number(mi) > 59 || Number(h) > 23 || Number(oh ?? 0) > 23 || Number(om ?? 0) > 59) return null;
  const offsetMin = z ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  // Reject dates Date.UTC silently rolled over (2024-02-30).
  const check = new Date(wall);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
  const f = (frac ?? "").slice(0, 6).padEnd(6, "0");
  const totalMicros = Number(f);
  const digits: 0 | 3 | 6 = !frac ? 0 : frac.length <= 3 ? 3 : 6;
  return {
    ms: wall - offsetMin * 60_000 + Math.floor(totalMicros / 1000),
    micros: totalMicros % 1000,
    digits,
    offsetMin,
  };
}

/** Normalises any accepted timestamp form; null when it cannot be understood. */
export function toInstant(value: TimestampInput | null | undefined): Instant | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isFinite(ms) ? { ms, micros: 0, digits: 3, offsetMin: 0 } : null;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    const ms = Math.floor(value);
    const micros = Math.round((value - ms) * 1000);
    return micros === 0 ? { ms, micros: 0, digits: 3, offsetMin: 0 } : { ms: ms + Math.floor(micros / 1000), micros: micros % 1000, digits: 6, offsetMin: 0 };
  }
  if (typeof value === "string") return fromString(value);
  if (typeof value === "object" && typeof value.seconds === "number" && Number.isFinite(value.seconds)) {
    const nanos = typeof value.nanos === "number" && Number.isFinite(value.nanos) ? Math.max(0, Math.floor(value.nanos)) : 0;
    const sec = Math.floor(value.seconds);
    const micros = Math.floor(nanos / 1000);
    return {
      ms: sec * 1000 + Math.floor(micros / 1000),
      micros: micros % 1000,
      digits: nanos > 0 ? 6 : 0,
      offsetMin: 0,
    };
  }
  return null;
}

const pad2 = (n: number): string => (n < 10 ? "0" + n : String(n));
const pad3 = (n: number): string => (n < 10 ? "00" + n : n < 100 ? "0" + n : String(n));

/** RFC 5424 TIMESTAMP text of an instant (years outside 0000..9999 are clamped). */
export function formatRfc3339(t: Instant): string {
  const local = new Date(t.ms + t.offsetMin * 60_000);
  let y = local.getUTCFullYear();
  if (y < 0) y = 0;
  if (y > 9999) y = 9999;
  let s =
    String(y).padStart(4, "0") + "-" + pad2(local.getUTCMonth() + 1) + "-" + pad2(local.getUTCDate()) +
    "T" + pad2(local.getUTCHours()) + ":" + pad2(local.getUTCMinutes()) + ":" + pad2(local.getUTCSeconds());
  const millis = ((t.ms % 1000) + 1000) % 1000;
  if (t.digits === 3) s += "." + pad3(millis);
  else if (t.digits === 6) s += "." + pad3(millis) + pad3(t.micros);
  if (t.offsetMin === 0) return s + "Z";
  const a = Math.abs(t.offsetMin);
  return s + (t.offsetMin < 0 ? "-" : "+") + pad2(Math.floor(a / 60)) + ":" + pad2(a % 60);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 3164 TIMESTAMP (`Mmm dd hh:mm:ss`, day space-padded) in UTC: 3164 has no zone, we document UTC. */
export function formatBsd(t: Instant): string {
  const d = new Date(t.ms);
  const day = d.getUTCDate();
  return (
    MONTHS[d.getUTCMonth()] + " " + (day < 10 ? " " + day : String(day)) + " " +
    pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes()) + ":" + pad2(d.getUTCSeconds())
  );
}
