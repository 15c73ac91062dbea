// Syslog facility names and numbers (syslog-and-siem.md 1.3 and 7.4). Every common alias is
// accepted, the number is what goes out. 0 (kern) is a valid facility: never `value || default`.

const NAMES: Record<string, number> = {
  kern: 0, kernel: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9, clock: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13, security: 13,
  alert: 14, console: 14,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** Facility number for a number 0–23 (also as text) or a name (case-insensitive); else undefined. */
export function parseFacility(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v <= 23 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim().toLowerCase();
  if (/^\d{1,2}$/.test(s)) return parseFacility(Number(s));
  return Object.prototype.hasOwnProperty.call(NAMES, s) ? NAMES[s] : undefined;
}

export const FACILITY_NAMES = Object.keys(NAMES);
