// Shard key ranges: 32 lowercase hex digits over the 128-bit MD5 space (SplitShard and MergeShard answers show them).
// The last shard's exclusive end is written ffff…f as SLS does; it also accepts that exact key.

export const MIN_KEY = "0".repeat(32);
export const MAX_KEY = "f".repeat(32);
const SPACE = 1n << 128n;

export function keyToBig(key: string): bigint {
  return key === MAX_KEY ? SPACE : BigInt("0x" + key);
}

export function bigToKey(n: bigint): string {
  return n >= SPACE ? MAX_KEY : n.toString(16).padStart(32, "0");
}

export function isKey(key: string): boolean {
  return /^[0-9a-fA-F]{32}$/.test(key);
}

/** Splits [begin, end) into `parts` nearly equal consecutive ranges. */
export function splitRange(begin: string, end: string, parts: number): Array<[string, string]> {
  const b = keyToBig(begin);
  const e = keyToBig(end);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < parts; i++) {
    const lo = b + ((e - b) * BigInt(i)) / BigInt(parts);
    const hi = b + ((e - b) * BigInt(i + 1)) / BigInt(parts);
    out.push([bigToKey(lo), bigToKey(hi)]);
  }
  return out;
}

/** Whether `key` lies in [begin, end); the top shard also takes the key ffff…f itself. */
export function inRange(key: string, begin: string, end: string): boolean {
  const k = key.toLowerCase();
  return k >= begin && (k < end || (end === MAX_KEY && k === MAX_KEY));
}
