// Time zones for timestamps that carry none (a log field "2026-11-28 08:00:00" written by a
// server in Shanghai) and for the BSD syslog header, which has no zone at all and which many SIEM
// parsers read as their local time. Zones are UTC, a fixed offset (+08:00) or an IANA name
// (Asia/Shanghai, Europe/Berlin) whose rules, DST included, come from Node's Intl (the tz database).

export interface TimeZone {
  /** As configured: "UTC", "+08:00", "Asia/Shanghai". */
  readonly name: string;
  /** Offset from UTC in minutes at the instant `utcMs` (east positive). */
  offsetAt(utcMs: number): number;
}

export const UTC: TimeZone = { name: "UTC", offsetAt: () => 0 };

const OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** A time zone from its name; undefined when Node does not know it. */
export function timeZone(name: string): TimeZone | undefined {
  const n = name.trim();
  if (n === "" || /^(UTC|GMT|Z|Etc\/UTC|Etc\/GMT)$/i.test(n)) return n === "" ? undefined : UTC;
  const m = OFFSET.exec(n);
  if (m) {
    const h = Number(m[2]);
    const mi = Number(m[3] ?? 0);
    if (h > 14 || mi > 59) return undefined;
    const off = (m[1] === "-" ? -1 : 1) * (h * 60 + mi);
    return { name: n, offsetAt: () => off };
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: n,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    return undefined;
  }
  return ianaZone(fmt.resolvedOptions().timeZone, fmt);
}

/** Zone names the editor can offer (Node's list; UTC first). */
export function zoneNames(): string[] {
  const list = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", ...list.filter((z) => z !== "UTC")];
}

/**
 * An IANA zone. Offsets change only at transitions (a few a year, at whole quarter hours), so
 * the offset of each quarter hour is asked of Intl once and kept: records arrive in time order,
 * and one formatToParts costs microseconds.
 */
function ianaZone(name: string, fmt: Intl.DateTimeFormat): TimeZone {
  const cache = new Map<number, number>();
  const QUARTER = 900_000;
  const exact = (utcMs: number): number => {
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const p of fmt.formatToParts(new Date(utcMs))) {
      if (p.type === "year") y = Number(p.value);
      else if (p.type === "month") mo = Number(p.value);
      else if (p.type === "day") d = Number(p.value);
      else if (p.type === "hour") h = Number(p.value);
      else if (p.type === "minute") mi = Number(p.value);
      else if (p.type === "second") s = Number(p.value);
    }
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
  };
  return {
    name,
    offsetAt(utcMs: number): number {
      const q = Math.floor(utcMs / QUARTER);
      let off = cache.get(q);
      if (off === undefined) {
        off = exact(q * QUARTER);
        if (cache.size >= 4096) cache.clear();
        cache.set(q, off);
      }
      return off;
    },
  };
}

/**
 * The UTC instant of a wall-clock time in `zone` (`wallMs`: the wall time read as if it were
 * UTC). Like java.time: in an overlap (clocks turned back) the earlier instant; in a gap (clocks
 * turned forward) the time is moved forward by the gap's length (02:30 on a spring-forward night
 * in Berlin is 03:30 CEST).
 */
export function wallToUtc(wallMs: number, zone: TimeZone): number {
  const before = zone.offsetAt(wallMs - 86_400_000);
  const after = zone.offsetAt(wallMs + 86_400_000);
  const a = wallMs - before * 60_000;
  if (before === after || zone.offsetAt(a) === before) return a;
  const b = wallMs - after * 60_000;
  return zone.offsetAt(b) === after ? b : a;
}
