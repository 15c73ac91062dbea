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
