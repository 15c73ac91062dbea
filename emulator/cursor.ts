// Cursors as SLS makes them: standard base64 (with padding) of a decimal int64 (docs/sls-protocol.md, "Cursors").
// A shard's cursor for sequence number `seq` is `base + seq`; `base` is fixed at shard creation
// (createTime_s * 10^9 + shardId * 10^6) so values look like real ones and stay below 2^63.

import { errors } from "./errors";

export function cursorBase(createTimeS: number, shardId: number): bigint {
  return BigInt(createTimeS) * 1_000_000_000n + BigInt(shardId) * 1_000_000n;
}

export function encodeCursor(base: bigint, seq: number): string {
  return Buffer.from((base + BigInt(seq)).toString(10), "latin1").toString("base64");
}

/** The shard sequence number a cursor names; `ParameterInvalid` if it is not a cursor at all. */
export function decodeCursor(base: bigint, cursor: string): bigint {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cursor) || cursor.length % 4 !== 0) {
    throw errors.parameterInvalid(`cursor ${JSON.stringify(cursor)} is not a valid cursor`);
  }
  const text = Buffer.from(cursor, "base64").toString("latin1");
  if (!/^[0-9]{1,19}$/.test(text)) {
    throw errors.parameterInvalid(`cursor ${JSON.stringify(cursor)} is not a valid cursor`);
  }
  return BigInt(text) - base;
}
