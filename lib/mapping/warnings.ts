// Bad input never throws out of the mapper: a default applies and the user is told once per kind
// of problem and field (not once per record, which would flood the log at 100k records/s).

import type { WarnFn } from "./types";

/** Most distinct warnings reported; hostile input cannot make the warning set grow without bound. */
const MAX_REMEMBERED = 1000;

export class Warnings {
  private readonly seen = new Set<string>();
  /** Number of problems seen, reported or not (for status/metrics). */
  count = 0;

  constructor(private readonly sink: WarnFn | undefined) {}

  /** Report `text` unless the same `kind` for the same `field` was already reported. */
  warn(kind: string, field: string, text: string): void {
    this.count++;
    if (!this.sink) return;
    const k = kind + "\u0000" + field;
    if (this.seen.has(k) || this.seen.size >= MAX_REMEMBERED) return;
    this.seen.add(k);
    this.sink(text);
  }
}
