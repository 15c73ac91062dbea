// The consumer's "start at time": unix seconds, or an ISO 8601 time with or without a zone (no
// zone is UTC, as for mapped timestamps). Anything else is refused, never read as "begin".

import { fromIso } from "../mapping/timestamp";

/** Unix seconds of a start time (number or text), or undefined when it is not one. */
export function parseStartTime(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  if (/^\d{1,12}$/.test(t)) return Number(t);
  const ts = fromIso(t);
  return ts !== undefined && ts.seconds >= 0 ? Math.floor(ts.seconds) : undefined;
}
