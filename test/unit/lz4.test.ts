import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { lz4CompressBlock, lz4DecompressBlock, Lz4Error } from "../../lib/sls/lz4";
// Independent pure-JS implementation used as the reference.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ref = require("lz4js") as {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
};

function samples(): Buffer[] {
  const log = Buffer.from(
    'db_name=orders||user=app_rw||client_ip=10.0.3.17||sql=SELECT * FROM t_order WHERE id=42||latency=3||',
  );
  const out: Buffer[] = [Buffer.alloc(0), Buffer.from("a"), Buffer.from("abcdefghijkl"), Buffer.from("abcdefghijklm")];
  out.push(Buffer.concat(Array.from({ length: 300 }, () => log)));
  out.push(Buffer.alloc(70_000, 0x41)); // long overlapping run, offset 1
  out.push(randomBytes(5000)); // incompressible
  out.push(Buffer.concat([randomBytes(66_000), randomBytes(100), Buffer.alloc(1000, 7)]));
  const mixed = Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.from(`seq=${i}|${"x".repeat(i % 40)}|é🙂|`)));
  out.push(mixed);
  return out;
}

test("our compressor round-trips through our decompressor and the reference decoder", () => {
  for (const src of samples()) {
    const c = lz4CompressBlock(src);
    assert.deepEqual(lz4DecompressBlock(c, src.length), src);
    const dst = Buffer.alloc(src.length);
    const n = ref.decompressBlock(c, dst, 0, c.length, 0);
    assert.equal(n, src.length);
    assert.deepEqual(dst, src);
  }
});

test("blocks from the reference compressor decode with ours", () => {
  for (const src of samples()) {
    if (src.length === 0) continue;
    const dst = Buffer.alloc(ref.compressBound(src.length));
    const n = ref.compressBlock(src, dst, 0, src.length, new Uint32Array(1 << 16));
    if (n === 0) continue; // reference gives up on incompressible input
    assert.deepEqual(lz4DecompressBlock(dst.subarray(0, n), src.length), src);
  }
});

test("repetitive log text compresses well", () => {
  const src = samples()[4];
  assert.ok(lz4CompressBlock(src).length < src.length / 10);
});

test("malformed blocks and size mismatches are rejected, never over-read", () => {
  const src = Buffer.concat(Array.from({ length: 50 }, () => Buffer.from("hello world, hello log service ")));
  const c = lz4CompressBlock(src);
  assert.throws(() => lz4DecompressBlock(c, src.length - 1), Lz4Error);
  assert.throws(() => lz4DecompressBlock(c, src.length + 1), /x-log-bodyrawsize/);
  assert.throws(() => lz4DecompressBlock(c.subarray(0, c.length - 3), src.length), Lz4Error);
  assert.throws(() => lz4DecompressBlock(Buffer.from([0x10, 0x41, 0x05, 0x00]), 10), /invalid match offset/);
  assert.throws(() => lz4DecompressBlock(Buffer.from([0xf0]), 100), /truncated literal length/);
  assert.throws(() => lz4DecompressBlock(Buffer.alloc(0), -1), /invalid raw size/);
  assert.deepEqual(lz4DecompressBlock(Buffer.alloc(0), 0), Buffer.alloc(0));
  for (let i = 0; i < 200; i++) {
    const junk = randomBytes(1 + (i % 64));
    try {
      lz4DecompressBlock(junk, 256);
    } catch (e) {
      assert.ok(e instanceof Lz4Error, String(e));
    }
  }
});

/** A hand-made block: `lit` literal bytes, then one match of `len` bytes at `offset`, then 5 literals. */
function blockWithMatch(lit: Buffer, offset: number, len: number): Buffer {
  const ext = (n: number): number[] => {
    const out: number[] = [];
    for (; n >= 255; n -= 255) out.push(255);
    out.push(n);
    return out;
  };
  const m = len - 4;
  const bytes = [(Math.min(lit.length, 15) << 4) | Math.min(m, 15)];
  if (lit.length >= 15) bytes.push(...ext(lit.length - 15));
  bytes.push(...lit, offset & 0xff, offset >> 8);
  if (m >= 15) bytes.push(...ext(m - 15));
  bytes.push(0x50, ...Buffer.from("tail!"));
  return Buffer.from(bytes);
}

/** What the block must decode to: a match copies byte by byte, so an overlapping one repeats. */
function expectedOutput(lit: Buffer, offset: number, len: number): Buffer {
  const out = [...lit];
  for (let i = 0; i < len; i++) out.push(out[out.length - offset]);
  return Buffer.from([...out, ...Buffer.from("tail!")]);
}

test("overlapping matches repeat their run: a 48-byte match at offset 47, and every offset/length around the copy paths", () => {
  const lit = Buffer.from(Array.from({ length: 100 }, (_, i) => 33 + i)); // 100 distinct bytes
  const exact = blockWithMatch(lit.subarray(0, 47), 47, 48);
  const out = lz4DecompressBlock(exact, 47 + 48 + 5);
  assert.deepEqual(out, expectedOutput(lit.subarray(0, 47), 47, 48));
  assert.equal(out[94], out[0], "the 48th byte of the match repeats the first byte it copied");
  for (let offset = 1; offset <= 70; offset++) {
    for (let len = 4; len <= 100; len++) {
      const l = lit.subarray(0, Math.max(offset, 1));
      const block = blockWithMatch(l, offset, len);
      const want = expectedOutput(l, offset, len);
      const ours = lz4DecompressBlock(block, want.length);
      if (!ours.equals(want)) assert.fail(`offset ${offset}, length ${len}: ${ours.toString("hex")} != ${want.toString("hex")}`);
      const theirs = Buffer.alloc(want.length);
      ref.decompressBlock(block, theirs, 0, block.length, 0);
      if (!theirs.equals(want)) assert.fail(`the reference decoder disagrees at offset ${offset}, length ${len}`);
    }
  }
});
