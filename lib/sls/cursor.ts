// SLS cursors are opaque to the API, but every SDK treats them as base64 of a decimal int64 where
// consecutive log groups of a shard have consecutive numbers (sls-protocol.md §6). We use that
// only to name the cursor of each log group inside a PullLogs batch.

/** Cursor of the group `offset` positions after `cursor`; `cursor` itself if it is not numeric. */
export function cursorAt(cursor: string, offset: number): string {
  if (offset === 0) return cursor;
  const n = cursorNumber(cursor);
  if (n === undefined) return cursor;
  return Buffer.from((n + BigInt(offset)).toString(), "latin1").toString("base64");
}

export function cursorNumber(cursor: string): bigint | undefined {
  const dec = Buffer.from(cursor, "base64").toString("latin1");
  return /^\d{1,19}$/.test(dec) ? BigInt(dec) : undefined;
}
