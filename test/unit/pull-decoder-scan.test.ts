// The pull decoder's scan and build steps (scanLogGroupList, PulledGroup, the metadata memo, the
// record layouts, detachWhenReleased) and protobuf.ts's key memo, with inputs made to reach their
// corners: hash collisions, groups decoded out of order, a log larger than a text chunk, buffers
// that must not be detached. The general decoding tests are in pull-decoder.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CodecError, decodeLogGroupList, encodeLogGroup, encodeLogGroupList, type LogGroup } from "../../lib/sls/log-group-codec";
import { decodeLogGroupListRecords, detachWhenReleased, scanLogGroupList, toRecordGroup } from "../../lib/sls/pull-decoder";
import { cachedKey } from "../../lib/sls/protobuf";

/** A length-delimited field: tag, one-byte length (under 128), bytes. */
function field(no: number, bytes: number[]): number[] {
  assert.ok(bytes.length < 128);
  return [(no << 3) | 2, bytes.length, ...bytes];
}
const ascii = (s: string): number[] => [...Buffer.from(s, "latin1")];
/** A Log of Time 1 and one pair k=v, as a LogGroup field. */
const oneLogField = field(1, [0x08, 0x01, ...field(2, [...field(1, ascii("k")), ...field(2, ascii("v"))])]);
/** A LogGroupList of groups given as their fields' bytes. */
const listOf = (...groups: number[][]): Buffer => Buffer.from(groups.flatMap((g) => [0x0a, ...varintBytes(g.length), ...g]));
function varintBytes(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
  return [...out, n];
}
const reference = (body: Buffer) => decodeLogGroupList(body).map(toRecordGroup);

// First in this file on purpose: a layout search that compares past a log's last key (build's
// `i < n` bound gone) stops at a key a wider log left in the decoder's scratch array, and loops for
// ever only when no wider log was decoded before in this process.
test("a log whose keys match an older layout than the last one decodes with it (widest log so far, 93 keys: the most a layout takes)", () => {
  const wide = Array.from({ length: 93 }, (_, i) => [`k${i}`, `v${i}`] as [string, string]);
  const logs = [
    { time: 1, contents: wide },
    { time: 2, contents: [["x", "y"]] as Array<[string, string]> },
    { time: 3, contents: wide },
  ];
  const body = encodeLogGroupList([encodeLogGroup({ logs, tags: [] })]);
  assert.deepEqual(decodeLogGroupListRecords(body), reference(body));
});

test("a group's timeNs can be read before its records", () => {
  const body = encodeLogGroupList([encodeLogGroup({ logs: [1, 2].map((i) => ({ time: i, timeNs: 1000 * i, contents: [["k", "v"]] })), tags: [] })]);
  const g = scanLogGroupList(body).at(0)!;
  assert.deepEqual(g.timeNs, [1000, 2000]);
  assert.deepEqual(g.records, reference(body)[0].records);
  assert.deepEqual(g.timeNs, [1000, 2000]);
});

test("groups decoded out of order (a later group first) read their values from their own bytes", () => {
  const group = (n: number): LogGroup => ({
    logs: Array.from({ length: 3 }, (_, i) => ({ time: i, contents: [["msg", `group ${n} log ${i}: an ASCII value`]] as Array<[string, string]> })),
    tags: [],
  });
  const body = encodeLogGroupList([group(0), group(1), group(2)].map(encodeLogGroup));
  const want = reference(body).map((g) => g.records);
  const list = scanLogGroupList(body);
  assert.deepEqual(list.at(2)!.records, want[2]);
  assert.deepEqual(list.at(0)!.records, want[0]);
  assert.deepEqual(list.at(1)!.records, want[1]);
  // Log by log, alternating between groups.
  const again = scanLogGroupList(body);
  const [g0, g1] = [again.at(0)!, again.at(1)!];
  assert.deepEqual([g1.nextRecord(), g0.nextRecord(), g1.nextRecord(), g0.nextRecord()], [want[1][0], want[0][0], want[1][1], want[0][1]]);
});

test("a log larger than a text chunk (32 KB) of usual pairs decodes like the reference, its last values included", () => {
  const contents = Array.from({ length: 5 }, (_, i) => [`f${i}`, String.fromCharCode(97 + i).repeat(10_000)] as [string, string]);
  const body = encodeLogGroupList([encodeLogGroup({ logs: [{ time: 7, contents }], tags: [["h", "x"]] })]);
  assert.ok(body.length > 50_000);
  const got = decodeLogGroupListRecords(body);
  assert.deepEqual(got, reference(body));
  assert.equal(got[0].records[0].f4, "e".repeat(10_000));
  const g = scanLogGroupList(body).at(0)!;
  assert.deepEqual(g.nextRecord(), reference(body)[0].records[0]);
});

test("the first fault of a group is the one named, as the reference decoder names it (a tag without a key before a log without Time)", () => {
  const keylessTag = field(6, field(2, ascii("v")));
  const timeless = field(1, field(2, [...field(1, ascii("k")), ...field(2, ascii("v"))]));
  const body = listOf([...oneLogField, ...keylessTag, ...timeless]);
  let want = "";
  assert.throws(
    () => decodeLogGroupList(body),
    (e: Error) => ((want = e.message), e instanceof CodecError && /key\/value pair without a key/.test(e.message)),
  );
  assert.throws(
    () => scanLogGroupList(body),
    (e: Error) => e instanceof CodecError && e.message === want,
  );
});

test("a LogGroup field 6 (LogTags' number) of another wire type is skipped, like any unknown field", () => {
  const body = listOf([...oneLogField, 0x30, 0x00, 0x35, 1, 2, 3, 4, ...field(3, ascii("topic"))]);
  const want = reference(body);
  assert.deepEqual(want[0].tags, []);
  assert.equal(want[0].topic, "topic");
  assert.deepEqual(decodeLogGroupListRecords(body), want);
});

// ---- The metadata memo (metaFor): groups' non-log bytes, remembered by a hash of them.

test("groups with the same metadata bytes share one tags object, also when the body goes on after them", () => {
  const mk = (host: string) => encodeLogGroup({ logs: [{ time: 1, contents: [["k", "v"]] }], tags: [["__hostname__", host]], topic: "t" });
  const groups = [...scanLogGroupList(encodeLogGroupList([mk("share-1"), mk("share-2"), mk("share-1"), mk("share-3")]))];
  assert.equal(groups[0].tagObject, groups[2].tagObject);
  assert.notEqual(groups[0].tagObject, groups[1].tagObject);
  assert.deepEqual(
    groups.map((g) => g.tags[0][1]),
    ["share-1", "share-2", "share-1", "share-3"],
  );
});

test("metadata whose bytes hash like a remembered group's is read as itself (hash collisions found for hashBytes)", () => {
  const topicRun = (topic: string): number[] => field(3, ascii(topic));
  // Runs of 16 bytes with the same first and last four, and the same hash: the middle eight differ.
  const sameLength: Array<[string, string]> = [['eX1Dy^O"e(3hy$', "eXM~qFStN?3hy$"]];
  for (const [a, b] of sameLength) {
    const body = listOf([...oneLogField, ...topicRun(a)], [...oneLogField, ...topicRun(b)], [...oneLogField, ...topicRun(a)]);
    assert.deepEqual(
      [...scanLogGroupList(body)].map((g) => g.topic),
      [a, b, a],
    );
    assert.deepEqual(decodeLogGroupListRecords(body), reference(body));
  }
  // A run of 28 bytes that starts with a remembered run of 16 and hashes like it: a second topic
  // field (the later topic wins) whose last four bytes were chosen for that.
  const first = "prefix-topic-A";
  const longer = [...topicRun(first), ...topicRun('U"3L]$%A~3')];
  const body = listOf([...oneLogField, ...topicRun(first)], [...oneLogField, ...longer]);
  assert.deepEqual(
    [...scanLogGroupList(body)].map((g) => g.topic),
    [first, 'U"3L]$%A~3'],
  );
  assert.deepEqual(decodeLogGroupListRecords(body), reference(body));
});

// ---- detachWhenReleased: which buffers it may empty.

test("detachWhenReleased detaches only a buffer alone on its own memory, and says whether it did", () => {
  const alone = Buffer.allocUnsafeSlow(16).fill(1);
  assert.equal(detachWhenReleased(alone), true);
  assert.equal(alone.length, 0);

  // The head of a larger ArrayBuffer (byteOffset 0): the rest of the memory is someone else's.
  const whole = Buffer.allocUnsafeSlow(24).fill(2);
  const head = whole.subarray(0, 16);
  assert.equal(detachWhenReleased(head), false);
  assert.deepEqual([head.length, whole.length, whole[23]], [16, 24, 2]);

  // Empty: nothing to free, and its ArrayBuffer stays usable.
  const empty = Buffer.alloc(0);
  assert.equal(detachWhenReleased(empty), false);
  assert.equal(new Uint8Array(empty.buffer).length, 0);

  // Shared memory cannot be transferred: left alone, without an error.
  const shared = Buffer.from(new SharedArrayBuffer(16)).fill(3);
  assert.equal(detachWhenReleased(shared), false);
  assert.deepEqual([shared.length, shared[15]], [16, 3]);

  // The same through a pull's groups: an owned body at the head of a larger ArrayBuffer, or in
  // shared memory, stays whole after every group is released.
  const encoded = encodeLogGroupList([encodeLogGroup({ logs: [{ time: 1, contents: [["k", "v"]] }], tags: [] })]);
  const big = Buffer.allocUnsafeSlow(encoded.length + 8).fill(9);
  const atHead = big.subarray(0, encoded.length);
  const inShared = Buffer.from(new SharedArrayBuffer(encoded.length));
  for (const body of [atHead, inShared]) {
    encoded.copy(body);
    for (const g of scanLogGroupList(body, true)) g.release();
    assert.equal(body.length, encoded.length);
  }
  assert.deepEqual([big.length, big[big.length - 1]], [encoded.length + 8, 9]);
});

// ---- protobuf.ts's key memo (cachedKey).

test("cachedKey reads a key as itself when the bytes around it spell a key read before", () => {
  let x = 11;
  const letter = (): number => 97 + (((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % 26); // an LCG's high bits
  const text = (bytes: number[]): string => Buffer.from(bytes).toString();
  for (let j = 0; j < 8192; j++) {
    // Read before: the key followed by more bytes (a longer key); then the key where those bytes follow it.
    const key = Array.from({ length: 4 }, letter);
    const longer = [...key, ...Array.from({ length: 20 }, letter)];
    assert.equal(cachedKey(Buffer.from(longer), 0, longer.length), text(longer));
    const after = Buffer.from([...Array<number>(10).fill(0x2e), ...longer]);
    assert.equal(cachedKey(after, 10, 14), text(key));
    // Read before: a key with the same first byte whose other bytes, reversed, come just before this one.
    const other = [key[0], letter(), letter(), letter()];
    if (text(other) === text(key)) continue;
    assert.equal(cachedKey(Buffer.from(other), 0, 4), text(other));
    const around = Buffer.from([...other.slice(1).reverse(), ...key]);
    assert.equal(cachedKey(around, 3, 7), text(key));
  }
});

test("cachedKey: the same key at the start of a buffer twice, and an empty key", () => {
  for (let i = 0; i < 2; i++) assert.equal(cachedKey(Buffer.from("at-start"), 0, 8), "at-start");
  assert.equal(cachedKey(Buffer.from("abc"), 1, 1), "");
  // An empty key in a log (valid protobuf), through the decoder.
  const body = listOf([...field(1, [0x08, 0x01, ...field(2, [...field(1, []), ...field(2, ascii("v"))])])]);
  assert.deepEqual(decodeLogGroupListRecords(body)[0].records, [{ "": "v", __time__: 1, __topic__: "", __source__: "" }]);
  assert.deepEqual(decodeLogGroupListRecords(body), reference(body));
});
