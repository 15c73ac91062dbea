// Timestamps for syslog headers: the restricted RFC 3339 form of RFC 5424 §6.2.3 (T and Z upper
// case, 1..6 fraction digits, offset with a colon, no leap second) and the BSD form of RFC 3164.
// Sub-millisecond precision travels as integer microseconds, never through floating seconds.

import type { TimeZone } from "../time-zone";
import { writeBytes } from "./byte-writer";

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

/** Milliseconds in 400 Gregorian years (146 097 days). */
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;
/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the years a 4-digit TIMESTAMP can show. */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

/**
 * The instant moved into 0000-01-01T00:00:00 .. 9999-12-31T23:59:59.999999 as written (at its
 * offset): a date outside it cannot be written, so it is clamped to the nearest end.
 */
function clamped(t: Instant): Instant {
  const local = t.ms + t.offsetMin * 60_000;
  if (local < MIN_MS) return { ms: MIN_MS - t.offsetMin * 60_000, micros: 0, digits: t.digits, offsetMin: t.offsetMin };
  if (local > MAX_MS) return { ms: MAX_MS - t.offsetMin * 60_000, micros: 999, digits: t.digits, offsetMin: t.offsetMin };
  return t;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

function fromString(s: string): Instant | null {
  const m = RFC3339.exec(s.trim());
  if (!m) {
    const ms = Date.parse(s);
    return Number.isFinite(ms) ? { ms, micros: 0, digits: 3, offsetMin: 0 } : null;
  }
  const [, y, mo, d, h, mi, se, frac, z, sign, oh, om] = m;
  if (Number(se) > 59 || Number(mi) > 59 || Number(h) > 23 || Number(oh ?? 0) > 23 || Number(om ?? 0) > 59) return null;
  const offsetMin = z ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  // Date.UTC maps years 0..99 to 1900..1999: compute them 400 years (a whole Gregorian cycle) later.
  const year = Number(y);
  const cycles = year < 100 ? 1 : 0;
  const wall = Date.UTC(year + 400 * cycles, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)) - cycles * GREGORIAN_CYCLE_MS;
  // Reject dates Date.UTC silently rolled over (2024-02-30).
  const check = new Date(wall + cycles * GREGORIAN_CYCLE_MS);
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

/** `YYYY-MM-DD` of a day number since 1970-01-01 (H. Hinnant's civil_from_days, no Date object). */
function civil(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = Math.min(9999, Math.max(0, yoe + era * 400 + (m <= 2 ? 1 : 0)));
  return String(y).padStart(4, "0") + "-" + pad2(m) + "-" + pad2(d);
}

// Records arrive in time order, so the second (and its date) repeats: keep the last ones, as
// bytes (`YYYY-MM-DDThh:mm:ss`, 19 of them); a new second within the same day is a few digits.
let cachedDay = NaN;
let cachedSecond = NaN;
let cachedOffset = NaN;
const cachedPrefix = new Uint8Array(19);

/** Fills cachedPrefix with `YYYY-MM-DDThh:mm:ss` of a second since the epoch, shifted by the offset. */
function secondBytes(second: number, offsetMin: number): void {
  if (second === cachedSecond && offsetMin === cachedOffset) return;
  const local = second + offsetMin * 60;
  const day = Math.floor(local / 86400);
  if (day !== cachedDay) {
    const date = civil(day);
    for (let i = 0; i < 10; i++) cachedPrefix[i] = date.charCodeAt(i);
    cachedPrefix[10] = 0x54; // T
    cachedPrefix[13] = cachedPrefix[16] = 0x3a; // :
    cachedDay = day;
  }
  const sod = local - day * 86400;
  const h = Math.floor(sod / 3600);
  const mi = Math.floor((sod - h * 3600) / 60);
  put2(cachedPrefix, 11, h);
  put2(cachedPrefix, 14, mi);
  put2(cachedPrefix, 17, sod - h * 3600 - mi * 60);
  cachedSecond = second;
  cachedOffset = offsetMin;
}

/** "000".."999" as bytes, three per number: fraction digits without divisions per record. */
const DIGITS3 = Uint8Array.from({ length: 3000 }, (_, i) => 48 + (Math.floor(Math.floor(i / 3) / 10 ** (2 - (i % 3))) % 10));

/** Three decimal digits of 0..999 at `pos`. */
function put3(buf: Uint8Array, pos: number, v: number): void {
  const i = v * 3;
  buf[pos] = DIGITS3[i];
  buf[pos + 1] = DIGITS3[i + 1];
  buf[pos + 2] = DIGITS3[i + 2];
}

/** Two decimal digits of 0..99 at `pos`. */
function put2(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = 48 + Math.floor(v / 10);
  buf[pos + 1] = 48 + (v % 10);
}

/** The TIMESTAMP of an instant inside the writable years. */
function putParts(buf: Buffer, pos: number, ms: number, micros: number, digits: number, offsetMin: number): number {
  const second = Math.floor(ms / 1000);
  secondBytes(second, offsetMin);
  for (let i = 0; i < 19; i++) buf[pos + i] = cachedPrefix[i];
  pos += 19;
  if (digits !== 0) {
    buf[pos] = 0x2e; // .
    put3(buf, pos + 1, ms - second * 1000);
    pos += 4;
    if (digits === 6) {
      put3(buf, pos, micros);
      pos += 3;
    }
  }
  if (offsetMin === 0) {
    buf[pos] = 0x5a; // Z
    return pos + 1;
  }
  const a = Math.abs(offsetMin);
  buf[pos] = offsetMin < 0 ? 0x2d : 0x2b;
  put2(buf, pos + 1, Math.floor(a / 60));
  buf[pos + 3] = 0x3a; // :
  put2(buf, pos + 4, a % 60);
  return pos + 6;
}

/** Writes the RFC 5424 TIMESTAMP of an instant at `pos` (instants outside years 0000..9999 are clamped to the nearest end); returns the end. */
export function putRfc3339(buf: Buffer, pos: number, t: Instant): number {
  if (t.ms < MIN_MS + 86_400_000 || t.ms > MAX_MS - 86_400_000) t = clamped(t);
  return putParts(buf, pos, t.ms, t.micros, t.digits, t.offsetMin);
}

/**
 * Writes the TIMESTAMP of a record's time (any TimestampInput), else of `fallback()`. SLS times
 * (`{seconds, nanos}`, what nearly every record carries) are written without building an Instant:
 * the same arithmetic as toInstant.
 */
export function putTimestamp(buf: Buffer, pos: number, value: TimestampInput | null | undefined, fallback: () => Instant): number {
  if (typeof value === "object" && value !== null && !(value instanceof Date) && typeof value.seconds === "number") {
    const n = value.nanos;
    const nanos = typeof n === "number" && n > 0 && n < Infinity ? Math.floor(n) : 0;
    const micros = Math.floor(nanos / 1000);
    const ms = Math.floor(value.seconds) * 1000 + Math.floor(micros / 1000);
    // NaN and the ends of the range take the general way.
    if (ms >= MIN_MS + 86_400_000 && ms <= MAX_MS - 86_400_000) return putParts(buf, pos, ms, micros % 1000, nanos > 0 ? 6 : 0, 0);
  }
  return putRfc3339(buf, pos, toInstant(value) ?? fallback());
}

/** RFC 5424 TIMESTAMP text of an instant (instants outside years 0000..9999 are clamped to the nearest end). */
export function formatRfc3339(t: Instant): string {
  return writeBytes((buf, pos) => putRfc3339(buf, pos, t)).toString("latin1");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The same instant, rendered in `zone` (its offset at that instant). */
export function inZone(t: Instant, zone: TimeZone): Instant {
  const offsetMin = zone.offsetAt(t.ms);
  return offsetMin === t.offsetMin ? t : { ...t, offsetMin };
}

/**
 * RFC 3164 TIMESTAMP (`Mmm dd hh:mm:ss`, day space-padded): the wall time at the instant's offset
 * (3164 has no zone: the formatter picks UTC or the configured zone). Clamped as formatRfc3339.
 */
export function formatBsd(t: Instant): string {
  const wall = t.ms + t.offsetMin * 60_000;
  const d = new Date(wall < MIN_MS ? MIN_MS : wall > MAX_MS ? MAX_MS : wall);
  const day = d.getUTCDate();
  return (
    MONTHS[d.getUTCMonth()] +
    " " +
    (day < 10 ? " " + day : String(day)) +
    " " +
    pad2(d.getUTCHours()) +
    ":" +
    pad2(d.getUTCMinutes()) +
    ":" +
    pad2(d.getUTCSeconds())
  );
}
