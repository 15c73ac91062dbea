// Framing as the receiver sees it: what the sender's frame encoder writes for one message must be
// the bytes of RFC 6587 octet counting (`LEN SP MSG`, LEN in UTF-8 bytes) or of LF framing (CR, LF
// and NUL escaped, one LF at the end), whatever the message holds and wherever it lands in the
// encoder's buffers. octetFrame/lfFrame, the one-message Buffer versions, are checked by hand first
// and then serve as the reference.

import { test } from "node:test";
import assert from "node:assert/strict";
import { lfFrame, octetFrame, type Wire } from "../../lib/syslog/framing";
import { FrameEncoder, WIRE_WRITER } from "../../lib/syslog/frame-encoder";
import { splitFrames } from "../../support/syslog-frames";

/** Messages with what breaks naive framing: multi-byte UTF-8, astral characters, CR, LF, NUL. */
const texts = ["<14>1 - - - - - - plain", "<14>1 - - - - - - café", "<14>1 - - - - - - 🙂 x", "a\nb", "cr\rlf\r\nnul\u0000end", "\u0000", "\n", "\r\r"];

function framed(enc: FrameEncoder): Buffer {
  return Buffer.from(enc.buf.subarray(enc.start, enc.start + enc.bytes));
}

test("octetFrame and lfFrame: the count is in bytes; CR, LF and NUL become \\r, \\n, \\0 and the only LF ends the frame", () => {
  assert.equal(octetFrame(Buffer.from("<14>1 - - - - - - café")).toString(), "23 <14>1 - - - - - - café");
  assert.equal(octetFrame(Buffer.from("🙂")).toString(), "4 🙂");
  assert.equal(octetFrame(Buffer.from("x".repeat(10))).toString(), "10 xxxxxxxxxx");
  assert.equal(lfFrame(Buffer.from("a\nb")).toString(), "a\\nb\n");
  assert.equal(lfFrame(Buffer.from("é\r")).toString(), "é\\r\n");
  assert.equal(lfFrame(Buffer.from("x\u0000y")).toString(), "x\\0y\n");
  assert.equal(lfFrame(Buffer.from("\n\r\u0000")).toString(), "\\n\\r\\0\n");
  assert.equal(lfFrame(Buffer.from("clean é")).toString(), "clean é\n");
  for (const t of texts) {
    const lf = lfFrame(Buffer.from(t));
    assert.deepEqual(
      lf,
      Buffer.from(
        t
          .replace(/\r/g, "\\r")
          .replace(/\n/g, "\\n")
          .replace(/\u0000/g, "\\0") + "\n",
      ),
    );
    assert.equal(lf.indexOf(0x0a), lf.length - 1, "the only LF is the trailer");
  }
});

test("the sender's frame encoder writes the same bytes as octetFrame/lfFrame, for strings and bytes, across buffer boundaries", () => {
  // Lengths around every change in the number of count digits (9/10, 99/100, 999/1000 bytes), in
  // small slabs so messages keep landing at a slab's end, starting a new one or needing a larger one.
  const bodies: string[] = [...texts];
  for (const n of [1, 8, 9, 10, 11, 98, 99, 100, 101, 998, 999, 1000, 1001, 5000, 9999, 10000, 99_999, 100_000]) {
    bodies.push("x".repeat(n), "é".repeat(n >> 1) + (n & 1 ? "y" : ""), "a\n".repeat(n >> 1));
  }
  bodies.push("🙂".repeat(40), "日本語".repeat(120));
  for (const framing of ["octet", "lf", "none"] as const) {
    for (const slab of [16, 64, 1024, 128 * 1024]) {
      const enc = new FrameEncoder(framing, slab);
      for (const [i, body] of bodies.entries()) {
        const msg: Wire = i % 2 ? Buffer.from(body) : body;
        enc.encode(WIRE_WRITER, msg);
        const raw = Buffer.from(body);
        const want = framing === "octet" ? octetFrame(raw) : framing === "lf" ? lfFrame(raw) : raw;
        const got = framed(enc);
        if (!got.equals(want))
          assert.fail(
            `${framing}, slab ${slab}, message ${i} (${raw.length} bytes): ${JSON.stringify(got.toString().slice(0, 40))} != ${JSON.stringify(want.toString().slice(0, 40))}`,
          );
        assert.equal(enc.bytes, want.length);
      }
    }
  }
});

test("frames encoded one after another are consecutive bytes that parse back into the messages", () => {
  for (const framing of ["octet", "lf"] as const) {
    const enc = new FrameEncoder(framing, 4096);
    const msgs = ["a b", "é\nè", "🙂", "z".repeat(150), "q\u0000", "last"];
    const first = enc.start;
    let end = first;
    for (const m of msgs) {
      enc.encode(WIRE_WRITER, m);
      assert.equal(enc.start, end, "each frame starts where the last one ended");
      end = enc.start + enc.bytes;
    }
    const bytes = enc.buf.subarray(first, end);
    const back = splitFrames(Buffer.from(bytes), framing).map(String);
    assert.deepEqual(back, framing === "octet" ? msgs : msgs.map((m) => m.replace(/\n/g, "\\n").replace(/\u0000/g, "\\0")));
  }
});

test("rollback and undoLast forget frames: the next frame takes their place", () => {
  const enc = new FrameEncoder("octet", 4096);
  enc.encode(WIRE_WRITER, "keep");
  const keptEnd = enc.start + enc.bytes;
  const mark = enc.mark();
  enc.encode(WIRE_WRITER, "dropped one");
  enc.encode(WIRE_WRITER, "dropped two");
  enc.rollback(mark);
  enc.encode(WIRE_WRITER, "next");
  assert.equal(enc.start, keptEnd);
  assert.equal(framed(enc).toString(), "4 next");
  enc.undoLast();
  enc.encode(WIRE_WRITER, "instead");
  assert.equal(enc.start, keptEnd);
  assert.equal(enc.buf.subarray(0, enc.start + enc.bytes).toString(), "4 keep7 instead");
});

test("a message whose count needs one more digit than reserved, ending at the very end of a buffer, still frames exactly", () => {
  // The encoder reserves the last frame's count width; a longer count shifts the message, which may
  // then no longer fit where it was written. Each filler length puts the message's end elsewhere:
  // fillers whose frame leaves the message just enough room, a few bytes more or less (the only
  // places the shift matters), and the smallest and largest.
  for (const [slab, lengths] of [
    [64, [9, 10, 11, 40]],
    [256, [99, 100, 101]],
    [2048, [999, 1000, 1001]],
  ] as const) {
    for (const n of lengths) {
      const body = "m".repeat(n - 1) + "Z";
      const near = Array.from({ length: 20 }, (_, k) => slab - n - 14 + k).filter((f) => f > 1 && f < slab - 1);
      for (const filler of [1, ...near, slab - 1]) {
        for (const framing of ["octet", "lf"] as const) {
          const enc = new FrameEncoder(framing, slab);
          for (const msg of ["f".repeat(filler), body, "after"]) {
            enc.encode(WIRE_WRITER, msg);
            const want = framing === "octet" ? octetFrame(Buffer.from(msg)) : lfFrame(Buffer.from(msg));
            if (!framed(enc).equals(want))
              assert.fail(`${framing}, slab ${slab}, filler ${filler}, ${msg.length}-byte message: ${JSON.stringify(framed(enc).toString().slice(-20))}`);
          }
        }
      }
    }
  }
});

test("a count one digit wider than the last frame's, for a message ending within a few bytes of a buffer's end: the shifted message never runs off the buffer", () => {
  // Frames of one-digit messages fill a buffer up to `at`; then an n-byte message (two or more
  // count digits) is written after a one-digit reservation and must move right by the extra digits.
  // At the buffer's end that move does not fit: the message goes to a fresh buffer instead.
  for (const n of [10, 40, 99, 100, 120]) {
    const d = String(n).length;
    for (const slab of [n + 24, n + 40, 4 * n]) {
      for (let at = slab - n - d - 6; at <= slab - n; at++) {
        // Fillers: 9-byte messages (11-byte frames), then one of 1..9 bytes to land exactly on `at`.
        const fillers: Buffer[] = [];
        let left = at;
        while (left > 11) {
          fillers.push(Buffer.from("f".repeat(9)));
          left -= 11;
        }
        if (left < 3) {
          // 11 + 1 or 11 + 2 bytes to go: a 5-byte frame and a 7- or 8-byte one instead of the last 11.
          fillers.pop();
          fillers.push(Buffer.from("h".repeat(3)));
          left += 6;
        }
        fillers.push(Buffer.from("g".repeat(left - 2)));
        const enc = new FrameEncoder("octet", slab);
        for (const f of fillers) enc.encode(WIRE_WRITER, f);
        assert.equal(enc.start + enc.bytes, at);
        const first = enc.slab;
        // As bytes: a string's fit is judged conservatively near a buffer's end (see putUtf8).
        const body = Buffer.from("b".repeat(n - 1) + "Z");
        enc.encode(WIRE_WRITER, body);
        assert.deepEqual(framed(enc), octetFrame(body), `slab ${slab}, message at ${at}`);
        const fits = at + d + 1 + n <= slab;
        assert.equal(enc.slab === first, fits, `slab ${slab}, message at ${at}: ${fits ? "fits after the fillers" : "a fresh buffer"}`);
        if (fits) assert.equal(enc.start, at);
      }
    }
  }
});

test("a frame exactly as large as a buffer fills it (octet and LF); the default buffer holds 128 KiB", () => {
  // Messages as bytes (a string's fit is judged conservatively near a buffer's end, see putUtf8).
  const octet = new FrameEncoder("octet", 16);
  const first = octet.slab;
  octet.encode(WIRE_WRITER, Buffer.from("x".repeat(10))); // reserves two count digits for the next frame
  octet.release(first);
  octet.encode(WIRE_WRITER, Buffer.from("y".repeat(13))); // "13 " + 13 bytes, from the buffer's start
  assert.equal(octet.slab, first);
  assert.equal(octet.start, 0);
  assert.equal(framed(octet).toString(), "13 " + "y".repeat(13));
  const lf = new FrameEncoder("lf", 16);
  const lfFirst = lf.slab;
  lf.encode(WIRE_WRITER, Buffer.from("a\nbcdefghijklm")); // 14 bytes + one escape + LF = 16
  assert.equal(lf.slab, lfFirst);
  assert.equal(framed(lf).toString(), "a\\nbcdefghijklm\n");
  const roomy = new FrameEncoder("octet");
  assert.equal(roomy.buf.length, 128 * 1024);
  const first128 = roomy.slab;
  roomy.encode(WIRE_WRITER, Buffer.alloc(128 * 1024 - 7, 0x79)); // "131065 " + 131065 bytes
  assert.equal(roomy.slab, first128);
  assert.equal(roomy.bytes, 128 * 1024);
});

test("frames written after a move to a fresh buffer follow one another there, and the old buffer's frames in use stay intact", () => {
  for (const framing of ["octet", "lf"] as const) {
    const enc = new FrameEncoder(framing, 64);
    const all: Array<{ slab: typeof enc.slab; start: number; bytes: Buffer }> = [];
    for (let i = 0; i < 40; i++) {
      const before = all[all.length - 1];
      enc.encode(WIRE_WRITER, `message ${i} ${"p".repeat(i % 7)}`);
      const f = { slab: enc.slab, start: enc.start, bytes: Buffer.from(framed(enc)) };
      if (before && before.slab === f.slab)
        assert.equal(f.start, before.start + before.bytes.length, `${framing}: frame ${i} follows the last one in its buffer`);
      else if (before) assert.equal(f.start, 0, `${framing}: frame ${i} starts a fresh buffer`);
      all.push(f);
    }
    assert.ok(new Set(all.map((f) => f.slab)).size > 5);
    for (const f of all) assert.ok(f.slab.buf.subarray(f.start, f.start + f.bytes.length).equals(f.bytes), `${framing}: frame ${f.bytes} intact`);
  }
});

test("undoLast gives its frame back: with the frames after it released, the buffer is written from its start again", () => {
  const enc = new FrameEncoder("octet", 64);
  enc.encode(WIRE_WRITER, "undone");
  enc.undoLast();
  enc.encode(WIRE_WRITER, "kept");
  const slab = enc.slab;
  assert.equal(enc.start, 0);
  enc.release(slab);
  enc.encode(WIRE_WRITER, "again");
  assert.equal(enc.slab, slab);
  assert.equal(enc.start, 0, "nothing in use: written from the start");
});

// Messages as bytes below: a string's fit is judged conservatively near a buffer's end (putUtf8),
// which would move some of them to a fresh buffer early.
test("spare buffers: at most `spares` released ones are kept for reuse, and never one made larger for a single big message", () => {
  const enc = new FrameEncoder("octet", 32, 1);
  const fill = (tag: string): Array<typeof enc.slab> => {
    // Frames until three buffers were used; returns each buffer once, frames still in use.
    const slabs: Array<typeof enc.slab> = [];
    while (slabs.length < 3) {
      enc.encode(WIRE_WRITER, Buffer.from(tag.repeat(12)));
      if (!slabs.includes(enc.slab)) slabs.push(enc.slab);
    }
    return slabs;
  };
  const [a, b, c] = fill("a");
  // Release every frame of a and b (c is the current buffer): only one of them is kept as a spare.
  for (const s of [a, b]) enc.release(s, s.live);
  const next = fill("n");
  assert.equal(next[0], c);
  assert.equal(next[1], a, "the one spare comes back first");
  assert.ok(next[2] !== b && next[2] !== a, "the second released buffer was not kept: a fresh one");

  // A buffer made larger for one big message is not kept as a spare once released.
  const big = new FrameEncoder("octet", 32, 4);
  big.encode(WIRE_WRITER, Buffer.from("s"));
  big.encode(WIRE_WRITER, Buffer.from("B".repeat(1000)));
  const large = big.slab;
  assert.ok(large.buf.length >= 1000);
  big.encode(WIRE_WRITER, Buffer.from("after the big one")); // into a fresh 32-byte buffer
  big.release(large);
  const seen = new Set<Buffer>();
  for (let i = 0; i < 20; i++) {
    big.encode(WIRE_WRITER, Buffer.from("z".repeat(20)));
    seen.add(big.buf);
  }
  assert.ok(![...seen].includes(large.buf), "the large buffer is not reused for small frames");
  for (const buf of seen) assert.equal(buf.length, 32);
});

test("a buffer left for a larger one (a big message) while none of its frames is in use becomes a spare, if there is room for one", () => {
  const small = Buffer.from("s".repeat(12)); // 15-byte frames: two per 32-byte buffer
  for (const spareTaken of [false, true]) {
    const enc = new FrameEncoder("octet", 32, 1);
    const a = enc.slab;
    enc.encode(WIRE_WRITER, small);
    enc.encode(WIRE_WRITER, small);
    enc.encode(WIRE_WRITER, small);
    const b = enc.slab;
    assert.notEqual(b, a);
    if (spareTaken) enc.release(a, 2); // a is the one spare now
    enc.release(b); // b, the current buffer, holds nothing in use
    enc.encode(WIRE_WRITER, Buffer.alloc(1000, 0x42)); // does not fit in 32 bytes: a larger buffer
    const large = enc.slab;
    assert.ok(large.buf.length >= 1000);
    while (enc.slab === large) enc.encode(WIRE_WRITER, small);
    assert.equal(enc.slab, spareTaken ? a : b, spareTaken ? "the spare kept before" : "b became the spare");
  }
});

test("a message that never fits is refused once buffers reach 1 GiB, not retried for ever", () => {
  const enc = new FrameEncoder("octet", 128 * 1024);
  let largest = 0;
  const never = { write: (_item: string, buf: Buffer): number => ((largest = Math.max(largest, buf.length)), buf.length + 1) };
  assert.throws(
    () => enc.encode(never, "x"),
    (e: Error) => e instanceof RangeError && /does not fit in 1073741824 bytes/.test(e.message),
  );
  assert.equal(largest, 1 << 30, "buffers up to 1 GiB were tried");
  enc.encode(WIRE_WRITER, "ok");
  assert.equal(framed(enc).toString(), "2 ok", "the encoder still works");
});

test("slabs are reused only once none of their frames is in use: frames still queued are never overwritten", () => {
  const enc = new FrameEncoder("octet", 64);
  const frame = (): { slab: typeof enc.slab; start: number; bytes: Buffer } => ({ slab: enc.slab, start: enc.start, bytes: Buffer.from(framed(enc)) });
  const intact = (f: ReturnType<typeof frame>): void =>
    assert.ok(f.slab.buf.subarray(f.start, f.start + f.bytes.length).equals(f.bytes), `frame ${f.bytes} was overwritten`);
  enc.encode(WIRE_WRITER, "aaaa");
  const a = frame();
  enc.encode(WIRE_WRITER, "bbbb");
  const b = frame();
  enc.release(a.slab);
  enc.encode(WIRE_WRITER, "cccc");
  const c = frame();
  assert.equal(c.start, b.start + b.bytes.length, "b still in use: c goes after it");
  intact(b);
  enc.release(b.slab);
  enc.release(c.slab);
  enc.encode(WIRE_WRITER, "dddd");
  assert.equal(enc.start, 0, "nothing in use: the slab is written from its start again");
  assert.equal(enc.slab, a.slab);
  // Fill the slab while its frames stay in use: the next frames go to another slab, the old ones stay.
  const held = [frame()];
  while (enc.slab === a.slab) {
    enc.encode(WIRE_WRITER, "e".repeat(20));
    held.push(frame());
  }
  const second = enc.slab;
  for (const f of held.slice(0, -1)) intact(f);
  // Releasing the old slab's frames makes it the next spare: once the second fills, the first comes back.
  for (const f of held.slice(0, -1)) enc.release(f.slab);
  const more = [frame()];
  while (enc.slab === second) {
    enc.encode(WIRE_WRITER, "f".repeat(20));
    more.push(frame());
  }
  assert.equal(enc.slab, a.slab, "the released slab is reused");
  for (const f of more.slice(0, -1)) intact(f);
  // A slab that still has one frame in use is not reused, however many of its others were released.
  const keep = more[more.length - 1]; // the first frame in a.slab, this time round
  for (const f of more.slice(0, -1)) enc.release(f.slab);
  const inA: Array<ReturnType<typeof frame>> = [];
  while (enc.slab === a.slab) {
    enc.encode(WIRE_WRITER, "h".repeat(20));
    inA.push(frame());
  }
  const third = enc.slab;
  for (const f of inA.slice(0, -1)) enc.release(f.slab); // all of a.slab's but `keep`
  const later = [inA[inA.length - 1]];
  while (enc.slab === third) {
    enc.encode(WIRE_WRITER, "i".repeat(20));
    later.push(frame());
  }
  assert.notEqual(enc.slab, a.slab, "a.slab still holds a frame in use");
  intact(keep);
  for (const f of later) enc.release(f.slab);
  enc.release(keep.slab);
  more.length = 0;
  // A rollback gives back what it dropped: nothing left in use, so writing starts over.
  for (const f of more) enc.release(f.slab);
  const m = enc.mark();
  enc.encode(WIRE_WRITER, "dropped");
  enc.rollback(m);
  enc.encode(WIRE_WRITER, "g");
  assert.equal(enc.start, 0);
});
