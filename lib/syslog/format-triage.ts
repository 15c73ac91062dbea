// Which format failures of sls-syslog-out belong to one log (its data) and which every log would
// hit (the settings). Only the first kind may be dead-lettered (settled as failed, reported to a
// Catch node); the second is held: the delivery token is never settled, the source stops at its
// window, and after a fix and a redeploy the same logs are read again and delivered.
//
// Telling them apart from one failure alone is guesswork, so the rule is evidence: a failure is a
// log's own only once this node formatted a comparable record fine, one that the same settings
// would have made fail too if the settings were at fault:
// - header and structured data too long: a record with the same SD elements (SD-IDs: what the
//   settings ask for; parameter names and values come from the log's fields) fit;
// - an invalid SD-ID or an SD element that is not an object of parameters: these come from the
//   settings (syslog map's SD-ID), so no record can prove them a log's own: always held;
// - anything else (a payload JSON.stringify cannot write, a getter that throws): any record fit.
// Without such evidence the failure is held. Evidence is kept until the flows restart (a deploy
// may change the settings it was gathered under).

import type { StructuredData, SyslogRecord } from "./formatter-input";
import { SyslogFormatError } from "./formatter-input";

/** Never proven by a record: the settings are at fault whatever the log holds. */
const SETTINGS = "settings\n";
const TOO_BIG = "too-big\n";
/** Proven by any record that formatted fine. */
const OTHER = "other";

/** Most distinct record shapes remembered as proven (hostile input cannot grow the set without bound). */
const MAX_PROVEN = 1000;

/** The SD-IDs of a record, in order: the elements the settings ask for (names and values are the log's). */
function shapeOf(sd: StructuredData | null | undefined): string {
  if (!sd || typeof sd !== "object") return "";
  let s = "";
  for (const id of Object.keys(sd)) if (sd[id] !== undefined && sd[id] !== null) s += id + "\n";
  return s;
}

/** The class of a failure: failures of one class are proven a log's own by the same evidence. */
export function failureKey(err: unknown, rec: SyslogRecord | undefined): string {
  if (err instanceof SyslogFormatError) {
    if (err.problem === "too-big") return TOO_BIG + shapeOf(rec?.structuredData);
    if (err.problem === "sd-id" || err.problem === "sd-params") return SETTINGS + err.message;
  }
  return OTHER;
}

export class FormatTriage {
  private readonly proven = new Set<string>();
  /** Keys of held failures, with the number of holders. */
  private readonly pending = new Map<string, number>();
  /** The latest record that formatted fine while nothing was pending: evidence for the next failure. */
  private lastGood: SyslogRecord | undefined;

  /**
   * A record formatted fine. Returns the pending keys it proves a log's own (whose held failures
   * may now be dead-lettered), or undefined. Cheap while nothing is pending: one assignment.
   */
  good(rec: SyslogRecord): string[] | undefined {
    if (this.pending.size === 0) {
      this.lastGood = rec;
      return undefined;
    }
    this.learn(rec);
    let out: string[] | undefined;
    for (const k of this.pending.keys()) if (this.proven.has(k)) (out ??= []).push(k);
    return out;
  }

  /** True when the failure of this key is proven a log's own; false: hold it (see hold()). */
  isOwn(key: string): boolean {
    if (key.startsWith(SETTINGS)) return false;
    if (this.proven.has(key)) return true;
    const r = this.lastGood;
    if (r === undefined) return false;
    this.lastGood = undefined;
    this.learn(r);
    return this.proven.has(key);
  }

  /** A failure of this key is being held. */
  hold(key: string): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  /** A held failure of this key was dead-lettered or released. */
  unhold(key: string): void {
    const n = (this.pending.get(key) ?? 0) - 1;
    if (n > 0) this.pending.set(key, n);
    else this.pending.delete(key);
  }

  /** Some failure is held: every record that formats fine is looked at (else only the last one is kept). */
  get watching(): boolean {
    return this.pending.size > 0;
  }

  /** Whether a failure of this key is being held. */
  holding(key: string): boolean {
    return this.pending.has(key);
  }

  /** Forgets all evidence (the flows restarted: settings may have changed). Pending keys stay. */
  forgetEvidence(): void {
    this.proven.clear();
    this.lastGood = undefined;
  }

  private learn(rec: SyslogRecord): void {
    this.proven.add(OTHER);
    if (this.proven.size < MAX_PROVEN) this.proven.add(TOO_BIG + shapeOf(rec.structuredData));
  }
}

/** A message whose failures are held: its token stays claimed until proven, released or closed. */
export interface HeldFailure<T> {
  /** The failure key of each record that failed. */
  keys: string[];
  /** Records of the message (1 per log, n for a batch): counted in status and summaries. */
  count: number;
  item: T;
}

/** The held messages of one sink, in arrival order. */
export class HeldFailures<T> {
  private items: HeldFailure<T>[] = [];
  /** Records held. */
  records = 0;

  constructor(private readonly triage: FormatTriage) {}

  get size(): number {
    return this.items.length;
  }

  add(keys: string[], count: number, item: T): void {
    for (const k of keys) this.triage.hold(k);
    this.items.push({ keys, count, item });
    this.records += count;
  }

  /** Removes and returns the held messages whose every key is now proven a log's own. */
  takeProven(): HeldFailure<T>[] {
    const out: HeldFailure<T>[] = [];
    const keep: HeldFailure<T>[] = [];
    for (const h of this.items) (h.keys.every((k) => this.triage.isOwn(k)) ? out : keep).push(h);
    if (out.length > 0) {
      this.items = keep;
      for (const h of out) this.forget(h);
    }
    return out;
  }

  /** Removes and returns every held message (to release their tokens). */
  takeAll(): HeldFailure<T>[] {
    const out = this.items;
    this.items = [];
    for (const h of out) this.forget(h);
    return out;
  }

  private forget(h: HeldFailure<T>): void {
    for (const k of h.keys) this.triage.unhold(k);
    this.records -= h.count;
  }
}
