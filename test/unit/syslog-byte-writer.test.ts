// The writers the formatters and the frame encoder put text with: each returns where the text ends,
// or a position beyond the buffer when it may not all have fit (the caller then retries with more
// room), and never throws for lack of room, even when called again past the end.

import { test } from "node:test";
import assert from "node:assert/strict";
import { putBytes, putLatin1, putUtf8, writeBytes } from "../../lib/syslog/byte-writer";

test("putUtf8: whole strings as UTF-8; 'did not fit' when a character could have been cut off", () => {
  const buf = Buffer.alloc(16, 0x2e);
  assert.equal(putUtf8(buf, 2, "héllo"), 2 + 6);
  assert.equal(buf.toString("utf8", 2, 8), "héllo");
  const roomy = Buffer.alloc(40, 0x2e);
  assert.equal(putUtf8(roomy, 2, "héllo 🙂"), 2 + 11);
  assert.equal(roomy.toString("utf8", 2, 13), "héllo 🙂");
  // Conservative near the end: 11 bytes did fit in 14, but a cut 4-byte character could not be ruled out.
  assert.ok(putUtf8(buf, 2, "héllo 🙂") > 16);
  assert.equal(putUtf8(buf, 16, ""), 16, "an empty string fits anywhere up to the end");
  assert.equal(putUtf8(buf, 3, ""), 3);
  // Enough room by the 3-bytes-per-unit bound, or with 4 bytes to spare after the text.
  assert.equal(putUtf8(Buffer.alloc(3), 0, "a"), 1);
  assert.equal(putUtf8(Buffer.alloc(8), 0, "aaaa"), 4);
  // Too little room: the text is not all there, and the result says so.
  assert.ok(putUtf8(Buffer.alloc(5), 0, "ééé") > 5, "two of three 2-byte characters");
  assert.ok(putUtf8(Buffer.alloc(4), 0, "a🙂") > 4, "the 4-byte character after a would be cut");
  assert.ok(putUtf8(Buffer.alloc(3), 0, "abcd") > 3);
  // At or past the end (a formatter keeps writing after a put that did not fit): no throw.
  assert.ok(putUtf8(buf, 16, "x") > 16);
  assert.ok(putUtf8(buf, 17, "x") > 16);
  assert.ok(putUtf8(buf, 40, "xyz") > 16);
});

test("putLatin1: one byte per character, short and long strings; 'did not fit' beyond the end", () => {
  for (const s of ["abc", "x".repeat(24), "y".repeat(25), "naïve façade " + "z".repeat(30)]) {
    const buf = Buffer.alloc(s.length + 3, 0x2e);
    assert.equal(putLatin1(buf, 3, s), 3 + s.length, s);
    assert.deepEqual(buf.subarray(3), Buffer.from(s, "latin1"), s);
    assert.equal(putLatin1(Buffer.alloc(s.length), 0, s), s.length, `${s}: exact fit`);
    assert.ok(putLatin1(Buffer.alloc(s.length - 1), 0, s) > s.length - 1, `${s}: one byte short`);
    assert.ok(putLatin1(Buffer.alloc(4), 10, s) > 4, `${s}: past the end`);
    const roomy = Buffer.alloc(s.length + 8, 0xee);
    assert.equal(putLatin1(roomy, 2, s), 2 + s.length);
    assert.deepEqual([roomy[0], roomy[1], ...roomy.subarray(2 + s.length)], Array(8).fill(0xee), `${s}: nothing written around the text`);
  }
});

test("putBytes: copies short and long byte runs; 'did not fit' beyond the end", () => {
  for (const n of [0, 1, 32, 33, 100]) {
    const src = Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff));
    const buf = Buffer.alloc(n + 2, 0xee);
    assert.equal(putBytes(buf, 1, src), 1 + n);
    assert.deepEqual(buf.subarray(1, 1 + n), src);
    assert.equal(buf[1 + n], 0xee, `${n}: nothing written after the run`);
    assert.equal(putBytes(Buffer.alloc(n), 0, src), n, `${n}: exact fit`);
    if (n > 0) assert.ok(putBytes(Buffer.alloc(n - 1), 0, src) > n - 1, `${n}: one byte short`);
  }
});

test("writeBytes: exactly what the writer wrote, as a Buffer of its own, however large", () => {
  const small = writeBytes((buf, pos) => putUtf8(buf, pos, "héllo"));
  assert.deepEqual(small, Buffer.from("héllo"));
  const big = "é".repeat(9000) + "end";
  const a = writeBytes((buf, pos) => putUtf8(buf, pos, big));
  assert.equal(a.toString("utf8"), big);
  const b = writeBytes((buf, pos) => putUtf8(buf, putUtf8(buf, pos, "x"), "y"));
  assert.equal(b.toString(), "xy");
  assert.equal(a.toString("utf8"), big, "a later call does not change an earlier result");
});
