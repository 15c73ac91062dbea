// Joins independently compressed raw LZ4 blocks into one block that decompresses to the
// concatenation of their inputs, without recompressing: PullLogs answers from pre-compressed log
// groups are then mostly memcpy. Compression itself is lib/sls/lz4's; this only re-frames.
//
// Why it works (LZ4 block format): a block is a run of sequences `token, [literal length bytes],
// literals, offset, [match length bytes]`, and its last sequence carries literals only. Matches
// reference earlier output by distance, so a block's matches stay valid after any prefix. Only the
// last literals of each block must be carried into the first sequence of the next block (their
// literal runs merge); a block that is all literals is carried whole.

import { lz4CompressBlock } from "../lib/sls/lz4";

export interface Lz4Piece {
  block: Buffer;
  /** Length of the uncompressed input. */
  rawLength: number;
  /** Offset of the block's last (literal-only) sequence. */
  lastSeq: number;
}

function literalRun(b: Buffer, pos: number): { start: number; len: number } {
  let len = b[pos] >>> 4;
  let p = pos + 1;
  if (len === 15) {
    let x: number;
    do {
      x = b[p++];
      len += x;
    } while (x === 255);
  }
  return { start: p, len };
}

/** Compresses `raw` and records where its last sequence starts (one walk over the sequences). */
export function lz4Piece(raw: Buffer): Lz4Piece {
  // A right-sized copy: the compressor's output views a worst-case-sized allocation that would
  // otherwise stay alive as long as the stored group.
  const block = Buffer.from(lz4CompressBlock(raw));
  let pos = 0;
  for (;;) {
    const lit = literalRun(block, pos);
    const after = lit.start + lit.len;
    if (after >= block.length) return { block, rawLength: raw.length, lastSeq: pos };
    let p = after + 2; // offset
    if ((block[pos] & 15) === 15) while (block[p++] === 255);
    pos = p;
  }
}

function writeToken(dst: Buffer, pos: number, litLen: number, matchNibble: number): number {
  dst[pos++] = ((litLen >= 15 ? 15 : litLen) << 4) | matchNibble;
  if (litLen >= 15) {
    let n = litLen - 15;
    while (n >= 255) {
      dst[pos++] = 255;
      n -= 255;
    }
    dst[pos++] = n;
  }
  return pos;
}

/** One raw LZ4 block equal to compressing the concatenation of the pieces' inputs. */
export function lz4Concat(pieces: readonly Lz4Piece[]): Buffer {
  let bound = 16;
  for (const p of pieces) bound += p.block.length + 8 + Math.ceil(p.block.length / 255);
  const out = Buffer.allocUnsafe(bound);
  let op = 0;
  const carry: Buffer[] = [];
  let carryLen = 0;
  for (const { block, lastSeq } of pieces) {
    const first = literalRun(block, 0);
    if (lastSeq === 0) {
      carry.push(block.subarray(first.start, first.start + first.len));
      carryLen += first.len;
      continue;
    }
    op = writeToken(out, op, carryLen + first.len, block[0] & 15);
    for (const c of carry) op += c.copy(out, op);
    op += block.copy(out, op, first.start, lastSeq);
    const last = literalRun(block, lastSeq);
    carry.length = 0;
    carry.push(block.subarray(last.start, last.start + last.len));
    carryLen = last.len;
  }
  op = writeToken(out, op, carryLen, 0);
  for (const c of carry) op += c.copy(out, op);
  return out.subarray(0, op);
}
