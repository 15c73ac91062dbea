// Facility and severity codes (RFC 5424 §6.2.1) and the names people actually use for them.
// 0 is a real value (kern / emerg): callers must test for undefined/null, never for falsiness.

const FACILITY_NAMES: Record<string, number> = {
  kern: 0,
  kernel: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  security: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  clock: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  console: 14,
  clock2: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

const SEVERITY_NAMES: Record<string, number> = {
  emerg: 0,
  emergency: 0,
  panic: 0,
  alert: 1,
  crit: 2,
  critical: 2,
  fatal: 2,
  err: 3,
  error: 3,
  warn: 4,
  warning: 4,
  notice: 5,
  info: 6,
  information: 6,
  informational: 6,
  debug: 7,
  trace: 7,
  verbose: 7,
};

/** The usual name of each facility code (index = code), as the editors list them. */
export const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "audit",
  "alert",
  "clock2",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;

/** The usual name of each severity code (index = code). */
export const SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"] as const;

function resolveCode(value: unknown, names: Record<string, number>, max: number): number | null {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 && value <= max ? value : null;
  if (typeof value !== "string") return null;
  const v = value.trim().toLowerCase();
  if (/^\d{1,3}$/.test(v)) return resolveCode(Number(v), names, max);
  return Object.prototype.hasOwnProperty.call(names, v) ? names[v] : null;
}

/** Facility 0..23 from a number, a numeric string or a name (`local0`, `auth`, ...); null if unknown. */
export function facilityCode(value: unknown): number | null {
  return resolveCode(value, FACILITY_NAMES, 23);
}

/** Severity 0..7 from a number, a numeric string or a name (`err`, `error`, `warning`, ...); null if unknown. */
export function severityCode(value: unknown): number | null {
  return resolveCode(value, SEVERITY_NAMES, 7);
}

/** PRI value = facility × 8 + severity (0..191). */
export function priority(facility: number, severity: number): number {
  return facility * 8 + severity;
}
