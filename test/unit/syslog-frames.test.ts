// The one RFC 6587 frame splitter of the test, bench and demo receivers (support/syslog-frames.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameSplitter, splitFrames, type Framing } from "../../support/syslog-frames";

const octet = (s: string): Buffer => {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from(`${b.length} `), b]);
};
const lf = (s: string): Buffer => Buffer.from(`${s}\n`, "utf8");

/** Frames (as text) and count of `stream` pushed in two pieces cut at `cut`, with and without onFrame. */
function split(stream: Buffer, cut: number, framing: Framing): { frames: string[]; counted: number; pending: number } {
  const frames: string[] = [];
  const s = new FrameSplitter({ framing, onFrame: (f) => frames.push(f.toString("utf8")) });
  const c = new FrameSplitter({ framing });
  for (const x of [s, c]) {
    x.push(stream.subarray(0, cut));
    x.push(stream.subarray(cut));
  }
  assert.equal(c.bytes, stream.length);
  assert.equal(c.pending, s.pending);
  return { frames, counted: c.frames, pending: s.pending };
}

test("octet-counted frames split at every byte boundary, lengths in bytes not characters", () => {
  const msgs = ["<134>1 2026-01-01T00:00:00Z h app - - - héllo wörld", "<13>1 - - - - - - x", "<14>1 - - - - - - multi\nline", "🙂".repeat(30)];
  const stream = Buffer.concat(msgs.map(octet));
  for (const framing of ["octet", "auto"] as const) {
    for (let cut = 0; cut <= stream.length; cut++) {
      assert.deepEqual(split(stream, cut, framing), { frames: msgs, counted: msgs.length, pending: 0 }, `${framing}, cut at ${cut}`);
    }
  }
});

test("LF framing: each frame ends at LF, exactly as sent (a CR is kept, an empty line is a frame)", () => {
  const stream = Buffer.concat([lf("<13>hello\r"), lf(""), lf("<14>wörld"), Buffer.from("<15>unfinished")]);
  for (const framing of ["lf", "auto"] as const) {
    for (let cut = 0; cut <= stream.length; cut++) {
      assert.deepEqual(split(stream, cut, framing), { frames: ["<13>hello\r", "", "<14>wörld"], counted: 3, pending: 14 }, `${framing}, cut at ${cut}`);
    }
  }
  // In LF framing a leading digit is just text.
  assert.deepEqual(splitFrames(lf("12 ab"), "lf").map(String), ["12 ab"]);
});

test("auto framing decides per frame, as rsyslog's imtcp: a digit starts an octet count, anything else a line", () => {
  const stream = Buffer.concat([octet("<1>a\nb"), lf("<2>line"), octet("<3>c"), lf("plain")]);
  assert.deepEqual(splitFrames(stream, "auto").map(String), ["<1>a\nb", "<2>line", "<3>c", "plain"]);
  assert.throws(() => splitFrames(lf("<2>line"), "octet"), /bad octet-counted frame: length field "<"/);
});

test("malformed or oversized frames throw: the stream cannot be resynchronised", () => {
  const bad = (bytes: string, re: RegExp, opts: { framing?: Framing; maxFrame?: number } = {}): void => {
    assert.throws(() => new FrameSplitter(opts).push(Buffer.from(bytes)), re, bytes);
  };
  bad("12x <13>abc", /bad octet-counted frame: length field "12x"/);
  bad("0 ", /bad octet-counted frame: length 0/);
  bad("012 abc", /length 0/);
  bad(" 3 abc", /length field " "/, { framing: "octet" });
  bad("2000000 ", /length 2000000 or more, over the 1048576-byte limit/, { maxFrame: 1 << 20 });
  bad("99999999999999999999 ", /bad octet-counted frame: length \d+ or more, over the 16777216-byte limit/);
  bad(`${"x".repeat(101)}`, /frame without LF longer than 100 bytes/, { maxFrame: 100 });
  // A frame of exactly maxFrame bytes is fine.
  const s = new FrameSplitter({ maxFrame: 100 });
  s.push(Buffer.concat([octet("y".repeat(100)), lf("x".repeat(100))]));
  assert.equal(s.frames, 2);
  assert.throws(() => splitFrames(Buffer.from("5 abc")), /5 bytes after the last complete frame/);
});

test("frames inside one chunk are views of it (no copy); a frame over two chunks is joined", () => {
  const got: Buffer[] = [];
  const s = new FrameSplitter({ onFrame: (f) => got.push(f) });
  const a = Buffer.concat([octet("one"), octet("two")]);
  s.push(a.subarray(0, 9));
  s.push(a.subarray(9));
  assert.equal(got[0].buffer, a.buffer, "the first frame is a view of the chunk");
  assert.deepEqual(got.map(String), ["one", "two"]);
});
