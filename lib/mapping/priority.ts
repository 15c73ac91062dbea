// Severity: syslog numbers 0–7, the usual names (case-insensitive; the name
// tables are lib/syslog's, so the mapping node and sls-syslog-out agree), and a user table for a
// logstore's own level words (`ERROR|error|E|3 → err`). The table is consulted first, so it may
// also reinterpret digits. Missing is not 0: 0 is Emergency.

import { facilityCode, severityCode } from "../syslog/facility-severity";
import type { SeverityRow } from "./types";

/** Severity number for 0–7 (number or digit text) or a standard name; else undefined. */
export function parseSeverity(v: unknown): number | undefined {
  return severityCode(v) ?? undefined;
}

/** Facility number for 0–23 (number or digit text) or a name/alias; else undefined. */
export function parseFacility(v: unknown): number | undefined {
  return facilityCode(v) ?? undefined;
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

/** CEF severity 0–10 and LEEF sev 1–10 for a syslog severity (docs/syslog-and-siem.md, "Severity and facility"). */
export const CEF_SEVERITY = [10, 9, 8, 7, 5, 3, 1, 0];
export const LEEF_SEVERITY = [10, 9, 8, 7, 5, 4, 2, 1];
