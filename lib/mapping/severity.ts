// Severity: syslog numbers 0–7, the names of syslog-and-siem.md 7.3 (case-insensitive), and a
// user table for a logstore's own level words (`ERROR|error|E|3 → err`). The table is consulted
// first, so it may also reinterpret digits. Missing is not 0: 0 is Emergency.

import type { SeverityRow } from "./types";

const NAMES: Record<string, number> = {
  emerg: 0, emergency: 0, panic: 0,
  alert: 1,
  crit: 2, critical: 2, fatal: 2,
  err: 3, error: 3,
  warn: 4, warning: 4,
  notice: 5,
  info: 6, information: 6, informational: 6,
  debug: 7, trace: 7, verbose: 7,
};

/** Severity number for 0–7 (number or digit text) or a standard name; else undefined. */
export function parseSeverity(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v <= 7 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim().toLowerCase();
  if (s.length === 1 && s >= "0" && s <= "7") return s.charCodeAt(0) - 48;
  return Object.prototype.hasOwnProperty.call(NAMES, s) ? NAMES[s] : undefined;
}

export type SeverityLookup = (v: unknown) => number | undefined;

/**
 * Compiles the value table into one lookup: table words (case-insensitive, trimmed) first, then
 * parseSeverity. Rows whose target is not a severity are reported through `bad`.
 */
export function compileSeverityTable(rows: SeverityRow[] | undefined, bad: (row: SeverityRow) => void): SeverityLookup {
  const table = new Map<string, number>();
  for (const row of rows ?? []) {
    const sev = parseSeverity(row.severity);
    if (sev === undefined) {
      bad(row);
      continue;
    }
    for (const word of String(row.values ?? "").split("|")) {
      const w = word.trim().toLowerCase();
      if (w !== "" && !table.has(w)) table.set(w, sev);
    }
  }
  if (table.size === 0) return parseSeverity;
  return (v) => {
    if (typeof v === "string" || typeof v === "number") {
      const hit = table.get(String(v).trim().toLowerCase());
      if (hit !== undefined) return hit;
    }
    return parseSeverity(v);
  };
}

/** CEF severity 0–10 and LEEF sev 1–10 for a syslog severity (syslog-and-siem.md 7.3). */
export const CEF_SEVERITY = [10, 9, 8, 7, 5, 3, 1, 0];
export const LEEF_SEVERITY = [10, 9, 8, 7, 5, 4, 2, 1];
