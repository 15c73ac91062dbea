// Event time → `{seconds, nanos}` (the contract's timestamp form, which keeps sub-millisecond
// digits that a Date would lose). Sources: the SLS record time (`__time__` + nanosecond part), a
// field holding epoch seconds/ms/µs/ns (number or decimal text, "auto" guesses the unit from the
// magnitude), or an ISO-8601 text. Conversions are exact: no floating-point seconds.

import { plainConstructor } from "../plain-object";
import { wallToUtc, type TimeZone } from "../time-zone";
import type { RecordMeta, SlsRecord, Timestamp, TimestampUnit } from "./types";

/** A timestamp lives in msg.syslog as long as its message: built by `new`, see lib/plain-object.ts. */
const Ts = plainConstructor(function (this: Timestamp, seconds: number, nanos: number) {
  this.seconds = seconds;
  this.nanos = nanos;
});

const NS_PER_S = 1_000_000_000n;

/** The SLS time of a record: msg.sls time/timeNs, else the record's `__time__`/`__time_ns_part__`. */
export function slsTime(meta: RecordMeta, rec: SlsRecord): Timestamp | undefined {
  let seconds: unknown = meta.time;
  let nanos: unknown = meta.timeNs;
  if (typeof seconds !== "number") {
    seconds = toInt(rec.__time__);
    nanos = rec.__time_ns_part__;
  }
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return undefined;
  const ns = toInt(nanos);
  return new Ts(seconds, ns !== undefined && ns >= 0 && ns < 1e9 ? ns : 0);
}

function toInt(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? v : undefined;
  if (typeof v === "string" && /^\d{1,16}$/.test(v)) return Number(v);
  return undefined;
}

const UNIT_DIGITS: Record<string, number> = { s: 0, ms: 3, us: 6, ns: 9 };

function guessUnit(intDigits: string): "s" | "ms" | "us" | "ns" {
  const n = intDigits.replace(/^-?0*/, "").length;
  return n <= 11 ? "s" : n <= 14 ? "ms" : n <= 17 ? "us" : "ns";
}

/** Epoch value (number or decimal text) in `unit` → Timestamp; undefined when not a number. */
export function fromEpoch(v: unknown, unit: Exclude<TimestampUnit, "iso">): Timestamp | undefined {
  let text: string;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return undefined;
    if (Number.isSafeInteger(v)) {
      const u = unit === "auto" ? guessUnit(String(v)) : unit;
      const per = u === "s" ? 1 : u === "ms" ? 1e3 : u === "us" ? 1e6 : 0;
      if (per !== 0) {
        const seconds = Math.floor(v / per);
        return new Ts(seconds, (v - seconds * per) * (1e9 / per));
      }
    }
    text = Number.isInteger(v) ? String(v) : v.toFixed(9);
  } else if (typeof v === "string") {
    text = v.trim();
  } else return undefined;
  const m = /^(-?\d{1,20})(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const u = unit === "auto" ? guessUnit(m[1]) : unit;
  const digits = 9 - UNIT_DIGITS[u];
  const neg = m[1].startsWith("-");
  const abs = BigInt((neg ? m[1].slice(1) : m[1]) + ((m[2] ?? "") + "000000000").slice(0, digits));
  const total = neg ? -abs : abs;
  let sec = total / NS_PER_S;
  let rem = total % NS_PER_S;
  if (rem < 0n) {
    rem += NS_PER_S;
    sec -= 1n;
  }
  return new Ts(Number(sec), Number(rem));
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9})\d*)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO-8601 / RFC 3339 text → Timestamp. Text without a zone is wall time in `zone` (default UTC). */
export function fromIso(v: unknown, zone?: TimeZone): Timestamp | undefined {
  if (typeof v !== "string") return undefined;
  const m = ISO.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", written] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const min = Number(mi);
  const sec = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return undefined;
  const ms = Date.UTC(Number(y), month - 1, day, hour, min, Math.min(sec, 59));
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== day) return undefined;
  let utcMs: number;
  if (written === undefined) {
    utcMs = zone ? wallToUtc(ms, zone) : ms;
  } else {
    let offsetMin = 0;
    if (written !== "Z" && written !== "z") {
      const sign = written[0] === "-" ? -1 : 1;
      const digits = written.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 23 || om > 59) return undefined;
      offsetMin = sign * (oh * 60 + om);
    }
    utcMs = ms - offsetMin * 60_000;
  }
  return new Ts(utcMs / 1000 + (sec === 60 ? 1 : 0), Number((frac + "000000000").slice(0, 9)));
}

/**
 * Field value → Timestamp in the configured unit ("iso" parses text; "auto" takes either). ISO
 * text without a zone is wall time in `zone` (UTC when not given); epoch values have no zone.
 */
export function fromValue(v: unknown, unit: TimestampUnit, zone?: TimeZone): Timestamp | undefined {
  if (unit === "iso") return fromIso(v, zone);
  const t = fromEpoch(v, unit);
  if (t !== undefined || unit !== "auto") return t;
  return fromIso(v, zone);
}

export function nowTimestamp(): Timestamp {
  const ms = Date.now();
  return new Ts(Math.floor(ms / 1000), (ms % 1000) * 1e6);
}
