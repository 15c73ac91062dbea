// SLS cursors are opaque to the API, but every SDK treats them as base64 of a decimal int64 where
// consecutive log groups of a shard have consecutive numbers (docs/sls-protocol.md, "Cursors"). We
// use that only to name the cursor of each log group inside a PullLogs batch.

/** Cursor of the group `offset` positions after `cursor`; `cursor` itself if it is not numeric. */
export function cursorAt(cursor: string, offset: number): string {
  if (offset === 0) return cursor;
  const n = cursorNumber(cursor);
  return n === undefined ? cursor : btoa((n + BigInt(offset)).toString());
}

export function cursorNumber(cursor: string): bigint | undefined {
  const dec = Buffer.from(cursor, "base64").toString("latin1");
  return /^\d{1,19}$/.test(dec) ? BigInt(dec) : undefined;
}

/**
 * The cursors of `n` consecutive log groups starting at `cursor`, plus the one after them, as a
 * function of the group's position (0..n), made on demand; undefined when the cursor is not
 * numeric. The last nine digits are plain number arithmetic, BigInt only when they would carry.
 */
export function cursorSequence(cursor: string, n: number): ((k: number) => string) | undefined {
  const dec = Buffer.from(cursor, "base64").toString("latin1");
  if (!/^\d{1,19}$/.test(dec)) return undefined;
  const tail = Number(dec.slice(-9));
  if (dec.length > 9 && tail + n < 1e9) {
    const head = dec.slice(0, -9);
    return (k) => (k === 0 ? cursor : btoa(head + String(tail + k).padStart(9, "0")));
  }
  const base = BigInt(dec);
  return (k) => (k === 0 ? cursor : btoa((base + BigInt(k)).toString()));
}

/** The cursors of `n` consecutive log groups starting at `cursor`, plus the one after them (n + 1 entries). */
export function cursorRange(cursor: string, n: number): string[] | undefined {
  const at = cursorSequence(cursor, n);
  return at && Array.from({ length: n + 1 }, (_, k) => at(k));
}
