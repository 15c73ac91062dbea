import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { LZ4_SCRATCH, lz4CompressBlock, lz4DecompressAfterScratch, lz4DecompressBlock, Lz4Error } from "../../lib/sls/lz4";
// Independent pure-JS implementation used as the reference.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ref = require("lz4js") as {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
};

function samples(): Buffer[] {
  const log = Buffer.from("db_name=orders||user=app_rw||client_ip=10.0.3.17||sql=SELECT * FROM t_order WHERE id=42||latency=3||");
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

test("malformed blocks are refused with a message that says what is wrong", () => {
  const lit = (n: number): number[] => Array.from({ length: n }, (_, i) => 97 + (i % 26));
  const cases: Array<[number[], number, RegExp]> = [
    [[0x50, ...lit(3)], 5, /literals run past the end of the input/],
    [[0x50, ...lit(5)], 4, /output larger than x-log-bodyrawsize 4/],
    [[0x10, 0x61, 0x01], 9, /truncated match offset/],
    [[0x10, 0x61], 9, /decompressed 1 bytes, x-log-bodyrawsize says 9/],
    [[0x10, 0x61, 0x00, 0x00, 0x00], 9, /invalid match offset 0 at output 1/],
    [[0x20, 0x61, 0x62, 0x03, 0x00, 0x00], 9, /invalid match offset 3 at output 2/],
    [[0x1f, 0x61, 0x01, 0x00], 40, /truncated match length/],
    [[0x1f, 0x61, 0x01, 0x00, 0xff], 400, /truncated match length/],
    [[0x10, 0x61, 0x01, 0x00, 0x00], 4, /output larger than x-log-bodyrawsize 4/],
  ];
  for (const [block, raw, msg] of cases)
    assert.throws(
      () => lz4DecompressBlock(Buffer.from(block), raw),
      (e: Error) => e instanceof Lz4Error && e.name === "Lz4Error" && msg.test(e.message),
      `${Buffer.from(block).toString("hex")} -> ${msg}`,
    );
  // A match that runs past the raw size is refused as such, also as the block's last bytes and when
  // it is long enough to be copied in one piece (64 bytes at offset 64).
  assert.throws(
    () => lz4DecompressBlock(Buffer.from([0x10, 0x61, 0x01, 0x00]), 4),
    (e: Error) => e instanceof Lz4Error && /output larger than x-log-bodyrawsize 4/.test(e.message),
  );
  // 64 literals (15 + 49), then a match of 64 (4 + 15 + 45) at offset 64: 128 bytes.
  const long = Buffer.from([0xff, 49, ...lit(64), 0x40, 0x00, 45]);
  assert.throws(
    () => lz4DecompressBlock(long, 100),
    (e: Error) => e instanceof Lz4Error && /output larger than x-log-bodyrawsize 100/.test(e.message),
  );
  assert.equal(lz4DecompressBlock(Buffer.concat([long, Buffer.from([0x00])]), 128).toString(), Buffer.from(lit(64)).toString().repeat(2));
  // A match that ends exactly at the raw size, with an empty last sequence, is complete.
  assert.equal(lz4DecompressBlock(Buffer.from([0x10, 0x61, 0x01, 0x00, 0x00]), 5).toString(), "aaaaa");
});

test("lz4DecompressAfterScratch: the native decoder gets the raw size in the scratch bytes; JS otherwise; its faults become Lz4Errors", () => {
  const src = Buffer.concat(Array.from({ length: 40 }, (_, i) => Buffer.from(`k=${i % 7}||msg=hello hello hello||`)));
  const framed = (): Buffer => Buffer.concat([Buffer.alloc(LZ4_SCRATCH, 0xaa), lz4CompressBlock(src)]);
  assert.deepEqual(
    lz4DecompressAfterScratch(framed(), src.length, undefined),
    src,
    "undefined takes the default (the JS decoder only without lz4-napi: see below)",
  );
  assert.deepEqual(lz4DecompressAfterScratch(framed(), src.length), src, "the default (native when installed)");
  let seen: Buffer | undefined;
  const fake = (b: Buffer): Buffer => ((seen = Buffer.from(b)), lz4DecompressBlock(b.subarray(4), b.readUInt32LE(0)));
  assert.deepEqual(lz4DecompressAfterScratch(framed(), src.length, fake), src);
  assert.equal(seen!.readUInt32LE(0), src.length, "raw size, little-endian, in front of the block");
  assert.throws(
    () =>
      lz4DecompressAfterScratch(framed(), src.length, () => {
        throw new Error("corrupt input");
      }),
    (e: Error) => e instanceof Lz4Error && /invalid LZ4 block: corrupt input/.test(e.message),
  );
  assert.throws(
    () => lz4DecompressAfterScratch(framed(), src.length, () => Buffer.alloc(3)),
    (e: Error) => e instanceof Lz4Error && new RegExp(`decompressed 3 bytes, x-log-bodyrawsize says ${src.length}`).test(e.message),
  );
  // Sizes the native call cannot take go to the JS decoder, which refuses them by name.
  const never = (): Buffer => assert.fail("native decoder called");
  assert.throws(() => lz4DecompressAfterScratch(framed(), -1, never), /invalid raw size -1/);
  assert.throws(() => lz4DecompressAfterScratch(framed(), 2.5, never), /invalid raw size 2.5/);
  // A size no block of this length could reach is refused before anything is allocated.
  const c = framed();
  const most = (c.length - LZ4_SCRATCH) * 255 + 16;
  assert.throws(
    () => lz4DecompressAfterScratch(c, most + 1, never),
    new RegExp(`x-log-bodyrawsize ${most + 1} is impossible for ${c.length - LZ4_SCRATCH} compressed bytes`),
  );
  assert.throws(
    () => lz4DecompressAfterScratch(framed(), most, fake),
    (e: Error) => e instanceof Lz4Error && new RegExp(`decompressed ${src.length} bytes, x-log-bodyrawsize says ${most}`).test(e.message),
    "the largest possible size is tried (and fails on this block)",
  );
  assert.throws(() => lz4DecompressAfterScratch(Buffer.alloc(LZ4_SCRATCH + 1), 2 ** 32 + 1, never), Lz4Error);
});

test("lz4DecompressAfterScratch without lz4-napi (no prebuilt binary for the platform) decodes in JS", () => {
  // A fresh copy of the module, loaded while lz4-napi cannot be found.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require("node:module") as { _load(request: string, ...rest: unknown[]): unknown };
  const load = Module._load;
  const file = require.resolve("../../lib/sls/lz4");
  const cached = require.cache[file];
  delete require.cache[file];
  let lz4: typeof import("../../lib/sls/lz4");
  Module._load = function (request: string, ...rest: unknown[]): unknown {
    if (request === "lz4-napi") throw Object.assign(new Error("Cannot find module 'lz4-napi'"), { code: "MODULE_NOT_FOUND" });
    return load.call(this, request, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    lz4 = require(file) as typeof import("../../lib/sls/lz4");
  } finally {
    Module._load = load;
    require.cache[file] = cached;
  }
  const src = Buffer.concat(Array.from({ length: 40 }, (_, i) => Buffer.from(`k=${i % 7}||msg=hello hello hello||`)));
  const framed = Buffer.concat([Buffer.alloc(LZ4_SCRATCH, 0xaa), lz4CompressBlock(src)]);
  assert.deepEqual(lz4.lz4DecompressAfterScratch(framed, src.length), src);
  assert.deepEqual(
    framed.subarray(0, LZ4_SCRATCH),
    Buffer.alloc(LZ4_SCRATCH, 0xaa),
    "the JS decoder leaves the scratch bytes alone (the native one gets the size there)",
  );
  assert.throws(
    () => lz4.lz4DecompressAfterScratch(framed, src.length + 1),
    (e: Error) => e.name === "Lz4Error" && /x-log-bodyrawsize says/.test(e.message),
  );
});
