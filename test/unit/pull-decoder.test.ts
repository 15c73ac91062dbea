import { test } from "node:test";
import assert from "node:assert/strict";
import { CodecError, decodeLogGroupList, encodeLogGroup, encodeLogGroupList, type LogGroup } from "../../lib/sls/log-group-codec";
import { decodeLogGroupListRecords, detachWhenReleased, logsIn, logsInAll, scanLogGroupList, type RecordGroup } from "../../lib/sls/pull-decoder";
import { toRecordGroup } from "../../lib/sls/pull-decoder";
import { GENERATOR_KINDS, LogGenerator } from "../../emulator/generator";
// Seeded (mulberry32), so a failure names a case that can be run again.
import { prng as rng } from "../../emulator/faults";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { cachedKey } from "../../lib/sls/protobuf";

test("decodeLogGroupListRecords equals decodeLogGroupList + toRecordGroup, key order included", () => {
  const groups: LogGroup[] = [];
  for (const kind of GENERATOR_KINDS) {
    const gen = new LogGenerator(kind, { seed: 3, groupSize: 7 });
    for (let i = 0; i < 5; i++) groups.push(gen.group(1_800_000_000_000 + i));
  }
  groups.push({
    logs: [
      {
        time: 5,
        contents: [
          ["a", ""],
          ["ü-ключ", "値 ✓"],
          ["a", "again"],
        ],
      },
    ],
    tags: [],
    machineUuid: "m",
    reserved: "r",
  });
  groups.push({ logs: [], tags: [["only", "tags"]], topic: "t" });
  // Value lengths around the fast path's varint limits, and a long key.
  groups.push({
    logs: [
      {
        time: 6,
        contents: [
          ["v127", "x".repeat(127)],
          ["v128", "y".repeat(128)],
          ["v16383", "z".repeat(16383)],
          ["v16384", "w".repeat(16384)],
          ["k".repeat(200), "long key"],
        ],
      },
    ],
    tags: [],
  });
  const body = encodeLogGroupList(groups.map(encodeLogGroup));
  const fast = decodeLogGroupListRecords(body);
  const slow = decodeLogGroupList(body).map(toRecordGroup);
  assert.deepEqual(fast, slow);
  for (let i = 0; i < fast.length; i++) {
    for (let j = 0; j < fast[i].records.length; j++) assert.deepEqual(Object.keys(fast[i].records[j]), Object.keys(slow[i].records[j]));
  }
  assert.deepEqual(decodeLogGroupListRecords(Buffer.alloc(0)), []);
});

test("decodeLogGroupListRecords rejects malformed input like decodeLogGroupList", () => {
  const good = encodeLogGroupList([encodeLogGroup({ logs: [{ time: 1, contents: [["k", "v"]] }], tags: [] })]);
  for (let cut = 1; cut < good.length; cut++) {
    const bad = good.subarray(0, cut);
    const a = (() => {
      try {
        decodeLogGroupList(bad);
        return "ok";
      } catch (e) {
        return e instanceof CodecError ? "codec" : "other";
      }
    })();
    const b = (() => {
      try {
        decodeLogGroupListRecords(bad);
        return "ok";
      } catch (e) {
        return e instanceof CodecError ? "codec" : "other";
      }
    })();
    assert.equal(b, a, `cut at ${cut}`);
  }
  // A log without its required Time field.
  const noTime = Buffer.from([0x0a, 0x06, 0x0a, 0x04, 0x12, 0x02, 0x0a, 0x00]);
  assert.throws(() => decodeLogGroupListRecords(noTime), CodecError);
});

test("decodeLogGroupListRecords: mixed layouts, special and duplicate keys, wide logs", () => {
  const wide: Array<[string, string]> = Array.from({ length: 120 }, (_, i) => [`f${i}`, `v${i}`]);
  const groups: LogGroup[] = [
    {
      logs: [
        {
          time: 1,
          contents: [
            ["a", "1"],
            ["b", "2"],
          ],
        },
        {
          time: 2,
          contents: [
            ["b", "3"],
            ["a", "4"],
          ],
        }, // same keys, other order: another layout
        {
          time: 3,
          contents: [
            ["a", "5"],
            ["b", "6"],
          ],
          timeNs: 7,
        },
        {
          time: 4,
          contents: [
            ["__time__", "x"],
            ["__topic__", "y"],
            ["a", "z"],
            ["a", "again"],
          ],
        },
        {
          time: 5,
          contents: [
            ["__proto__", "p"],
            ["constructor", "c"],
            ["0", "zero"],
            ['q"uote\\', "\u2028"],
          ],
        },
        { time: 6, contents: [] },
        {
          time: 6,
          contents: [
            ["latin1", "café é"],
            ["long-utf8", "ü".repeat(20)],
            ["long-ascii", "a".repeat(40)],
            ["nul", "\u0000\u007f"],
          ],
        },
        { time: 7, contents: wide },
      ],
      tags: [
        ["__hostname__", "h1"],
        ["k", "1"],
        ["k", "2"],
      ],
      topic: "t1",
      source: "s1",
    },
    // Same content keys, different tags: must not reuse the first group's layout.
    {
      logs: [
        {
          time: 8,
          contents: [
            ["a", "1"],
            ["b", "2"],
          ],
        },
      ],
      tags: [["other", "o"]],
      topic: "t2",
    },
    {
      logs: [
        {
          time: 9,
          contents: [
            ["a", "1"],
            ["b", "2"],
          ],
        },
      ],
      tags: [["__proto__", "x"]],
    },
    // Same tag keys as the group before, other values; then same count, other key.
    {
      logs: [
        {
          time: 10,
          contents: [
            ["a", "1"],
            ["b", "2"],
          ],
        },
      ],
      tags: [["__proto__", "y"]],
    },
    {
      logs: [
        {
          time: 11,
          contents: [
            ["a", "1"],
            ["b", "2"],
          ],
        },
        {
          time: 12,
          contents: [
            ["a", "3"],
            ["c", "4"],
          ],
        },
      ],
      tags: [["other", "p"]],
    },
  ];
  const body = encodeLogGroupList(groups.map(encodeLogGroup));
  for (let round = 0; round < 2; round++) {
    // Second round: layouts come from the factory cache.
    const fast = decodeLogGroupListRecords(body);
    const slow = decodeLogGroupList(body).map(toRecordGroup);
    assert.deepEqual(fast, slow);
    for (let i = 0; i < fast.length; i++) {
      for (let j = 0; j < fast[i].records.length; j++) {
        assert.deepEqual(Object.keys(fast[i].records[j]), Object.keys(slow[i].records[j]));
        assert.equal(Object.getPrototypeOf(fast[i].records[j]), Object.prototype);
      }
    }
  }
  const [g1, g2] = decodeLogGroupListRecords(body);
  assert.deepEqual(g1.records[3], { __time__: 4, __topic__: "t1", a: "again", __source__: "s1", "__tag__:__hostname__": "h1", "__tag__:k": "2" });
  assert.deepEqual(Object.keys(g1.records[4]), ["0", "constructor", 'q"uote\\', "__time__", "__topic__", "__source__", "__tag__:__hostname__", "__tag__:k"]);
  assert.equal(g1.records[4]['q"uote\\'], "\u2028");
  assert.deepEqual(g1.timeNs, [0, 0, 7, 0, 0, 0, 0, 0]);
  assert.deepEqual(g1.records[6], {
    latin1: "café é",
    "long-utf8": "ü".repeat(20),
    "long-ascii": "a".repeat(40),
    nul: "\u0000\u007f",
    __time__: 6,
    __topic__: "t1",
    __source__: "s1",
    "__tag__:__hostname__": "h1",
    "__tag__:k": "2",
  });
  assert.deepEqual(g2.records[0], { a: "1", b: "2", __time__: 8, __topic__: "t2", __source__: "", "__tag__:other": "o" });
  const last = decodeLogGroupListRecords(body).slice(-2);
  assert.deepEqual(last[0].records, [{ a: "1", b: "2", __time__: 10, __topic__: "", __source__: "", "__tag__:__proto__": "y" }]);
  assert.deepEqual(last[1].records, [
    { a: "1", b: "2", __time__: 11, __topic__: "", __source__: "", "__tag__:other": "p" },
    { a: "3", c: "4", __time__: 12, __topic__: "", __source__: "", "__tag__:other": "p" },
  ]);
});

test("decodeLogGroupListRecords works where code generation from strings is disallowed", () => {
  const body = encodeLogGroupList([
    encodeLogGroup({
      logs: [
        { time: 1, contents: [["a", "1"]] },
        { time: 2, contents: [["a", "2"]] },
      ],
      tags: [["t", "x"]],
      topic: "tp",
    }),
  ]);
  const mod = path.join(__dirname, "..", "..", "lib", "sls", "pull-decoder.js");
  const script = `const m = require(${JSON.stringify(mod)}); console.log(JSON.stringify(m.decodeLogGroupListRecords(Buffer.from(process.argv[1], "base64"))))`;
  const out = execFileSync(process.execPath, ["--disallow-code-generation-from-strings", "-e", script, body.toString("base64")], { encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(decodeLogGroupListRecords(body))));
  assert.deepEqual(JSON.parse(out)[0].records[1], { a: "2", __time__: 2, __topic__: "tp", __source__: "", "__tag__:t": "x" });
});

test("decodeLogGroupListRecords: one non-ASCII byte anywhere in a value, at any buffer alignment", () => {
  // Each value gets one "Z", later patched to a lone 0xFF byte (invalid UTF-8, decoded as U+FFFD):
  // a multi-byte character would also be caught by its other bytes.
  const logs = [];
  for (let len = 1; len <= 40; len++) {
    for (let at = 0; at < len; at++) {
      const chars = Array.from({ length: len }, (_, i) => String.fromCharCode(97 + (i % 26)));
      chars[at] = "Z";
      logs.push({
        time: len,
        contents: [
          ["v", chars.join("")],
          ["ascii", "x".repeat(len % 10)],
        ] as Array<[string, string]>,
      });
    }
  }
  const body = encodeLogGroupList(logs.map((log) => encodeLogGroup({ logs: [log], tags: [] })));
  let patched = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0x5a) {
      body[i] = 0xff;
      patched++;
    }
  }
  assert.equal(patched, logs.length, "only the markers were patched");
  const want = decodeLogGroupList(body).map(toRecordGroup);
  assert.equal(want[0].records[0].v, "\ufffd");
  for (let offset = 0; offset < 4; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), body]).subarray(offset);
    assert.deepEqual(decodeLogGroupListRecords(shifted), want, `byteOffset +${offset}`);
  }
});

test("decodeLogGroupListRecords: a key differing from the previous log's in any one byte is read as itself, at any buffer alignment", () => {
  const logs: LogGroup["logs"] = [];
  for (let len = 1; len <= 13; len++) {
    const key = Array.from({ length: len }, (_, i) => String.fromCharCode(97 + i)).join("");
    for (let at = 0; at < len; at++) {
      const other = key.slice(0, at) + "Z" + key.slice(at + 1);
      // Expected layout [x, key], then the same with one byte of the key changed, then a longer key.
      logs.push({
        time: 1,
        contents: [
          ["x", "1"],
          [key, "2"],
        ],
      });
      logs.push({
        time: 2,
        contents: [
          ["x", "3"],
          [other, "4"],
        ],
      });
      logs.push({
        time: 3,
        contents: [
          ["x", "5"],
          [key + "!", "6"],
        ],
      });
    }
  }
  const body = encodeLogGroupList([encodeLogGroup({ logs, tags: [] })]);
  const want = decodeLogGroupList(body).map(toRecordGroup);
  assert.deepEqual(Object.keys(want[0].records[1]).slice(0, 2), ["x", "Z"]);
  for (let offset = 0; offset < 4; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), body]).subarray(offset);
    const got = decodeLogGroupListRecords(shifted);
    assert.deepEqual(got, want, `byteOffset +${offset}`);
    for (let j = 0; j < got[0].records.length; j++) assert.deepEqual(Object.keys(got[0].records[j]), Object.keys(want[0].records[j]));
  }
});

test("scanLogGroupList: an owned body is detached once every group is released, never before; records stay intact", () => {
  const groups: LogGroup[] = [0, 1, 2].map((i) => ({
    logs: [{ time: 100 + i, contents: [["msg", `message number ${i} long enough to be a slice`]] }],
    tags: [["t", String(i)]],
  }));
  const encoded = encodeLogGroupList(groups.map(encodeLogGroup));
  const want = decodeLogGroupList(encoded).map(toRecordGroup);
  const own = (): Buffer => {
    const b = Buffer.allocUnsafeSlow(encoded.length);
    encoded.copy(b);
    return b;
  };

  const body = own();
  const pulled = [...scanLogGroupList(body, true)];
  const taken = pulled.map((g, i) => {
    const records = g.records;
    g.release();
    g.release(); // a second release counts once
    assert.equal(body.length, i < pulled.length - 1 ? encoded.length : 0, `after releasing group ${i}`);
    return records;
  });
  assert.deepEqual(
    taken,
    want.map((g) => g.records),
  );
  assert.equal(body.buffer.byteLength, 0);
  assert.throws(() => pulled[0].records, /read after release/);

  // Not owned, or not alone on its memory: never detached.
  const notOwned = own();
  for (const g of scanLogGroupList(notOwned)) g.release();
  assert.equal(notOwned.length, encoded.length);
  const big = Buffer.allocUnsafeSlow(encoded.length + 8);
  const shared = big.subarray(8);
  encoded.copy(shared);
  for (const g of scanLogGroupList(shared, true)) g.release();
  assert.equal(shared.length, encoded.length);
  assert.equal(big.length, encoded.length + 8);
  const pooled = Buffer.from("abc"); // a slice of Buffer's shared pool
  assert.equal(detachWhenReleased(pooled), false);
  assert.equal(pooled.toString(), "abc");

  // A group never released keeps the body.
  const partly = own();
  const pg = [...scanLogGroupList(partly, true)];
  pg[0].release();
  pg[2].release();
  assert.equal(partly.length, encoded.length);
  assert.deepEqual(pg[1].records, want[1].records);
});

test("metadata before, between and after the logs (protobuf merges concatenated messages) decodes like the reference", () => {
  const log = (time: number, v: string) => ({ time, contents: [["k", v]] as Array<[string, string]> });
  const group = Buffer.concat([
    encodeLogGroup({ logs: [], tags: [["first", "1"]], topic: "early" }),
    encodeLogGroup({ logs: [log(1, "a")], tags: [] }),
    encodeLogGroup({ logs: [], tags: [["middle", "2"]], source: "src" }),
    encodeLogGroup({ logs: [log(2, "b")], tags: [["last", "3"]], topic: "late" }),
  ]);
  const body = encodeLogGroupList([group, encodeLogGroup({ logs: [log(3, "c")], tags: [["first", "1"]], topic: "early" })]);
  assert.deepEqual(decodeLogGroupListRecords(body), decodeLogGroupList(body).map(toRecordGroup));
  assert.deepEqual(decodeLogGroupListRecords(body)[0].records[1], {
    k: "b",
    __time__: 2,
    __topic__: "late",
    __source__: "src",
    "__tag__:first": "1",
    "__tag__:middle": "2",
    "__tag__:last": "3",
  });
});

test("groups with the same metadata bytes share one tags object; other bytes of the same length get their own", () => {
  const mk = (host: string) => encodeLogGroup({ logs: [{ time: 1, contents: [["k", "v"]] }], tags: [["__hostname__", host]], topic: "t" });
  const groups = [...scanLogGroupList(encodeLogGroupList([mk("host-1"), mk("host-2"), mk("host-1")]))];
  assert.equal(groups[0].tagObject, groups[2].tagObject);
  assert.notEqual(groups[0].tagObject, groups[1].tagObject);
  assert.deepEqual(
    groups.map((g) => g.records[0]["__tag__:__hostname__"]),
    ["host-1", "host-2", "host-1"],
  );
  assert.ok(Object.isFrozen(groups[1].tagObject));
  // A malformed tag still fails at scan time, as before.
  const bad = Buffer.from(mk("host-1"));
  const keyTag = bad.indexOf(Buffer.from([0x0a, "__hostname__".length]));
  bad[keyTag] = 0x1a; // the tag's key (field 1) becomes field 3: a pair without a key
  assert.throws(() => scanLogGroupList(encodeLogGroupList([bad])), CodecError);
});

test("a group larger than one text chunk (32 KB) decodes like the reference, values at every chunk edge", () => {
  const logs = Array.from({ length: 700 }, (_, i) => ({
    time: i,
    contents: [
      ["i", String(i)],
      ["pad", "p".repeat(i % 97)],
      ["tail", `${i}-${"t".repeat(40)}`],
    ] as Array<[string, string]>,
  }));
  const body = encodeLogGroupList([encodeLogGroup({ logs, tags: [["h", "x"]] }), encodeLogGroup({ logs: logs.slice(0, 3), tags: [] })]);
  assert.ok(body.length > 2 * 32 * 1024);
  assert.deepEqual(decodeLogGroupListRecords(body), decodeLogGroupList(body).map(toRecordGroup));
});

// ---- Any valid encoding, not only our encoder's: SLS producers are free to write protobuf their own way.

/** A malformed body fails when scanned, with a CodecError naming the fault and its byte, and the reference decoder refuses it alike. */
function refusedAlike(what: string, bad: Buffer, message: RegExp): void {
  assert.throws(
    () => decodeLogGroupList(bad),
    (e: Error) => e instanceof CodecError && message.test(e.message),
    `reference: ${what}`,
  );
  assert.throws(
    () => scanLogGroupList(bad),
    (e: Error) => e instanceof CodecError && e.name === "CodecError" && message.test(e.message) && / at byte \d+$/.test(e.message),
    what,
  );
}

/** A varint, minimal or padded with `pad` redundant bytes (valid protobuf, up to 10 bytes in all). */
function varint(n: number, pad = 0): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  for (let i = 0; i < pad && out.length < 10; i++) {
    out[out.length - 1] |= 0x80;
    out.push(0);
  }
  return out;
}

const lenField = (field: number, bytes: number[], pad = 0): number[] => [...varint((field << 3) | 2, 0), ...varint(bytes.length, pad), ...bytes];
const utf8 = (s: string): number[] => [...Buffer.from(s, "utf8")];

/** Fields a reader must skip: every wire type, values beyond 32 bits included. */
function unknownField(r: () => number, field: number): number[] {
  switch (Math.floor(r() * 4)) {
    case 0:
      return [...varint((field << 3) | 0), ...varint(Math.floor(r() * 2 ** 53))];
    case 1:
      return [...varint((field << 3) | 1), 1, 2, 3, 4, 5, 6, 7, 8];
    case 2:
      return lenField(field, utf8("skip me ✓"));
    default:
      return [...varint((field << 3) | 5), 0xff, 0xfe, 0xfd, 0xfc];
  }
}

const shuffle = <T>(r: () => number, xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};

function text(r: () => number): string {
  const lens = [0, 1, 3, 4, 5, 7, 12, 127, 128, 300, 16383, 16384, 20000];
  const n = r() < 0.95 ? Math.floor(r() * 40) : lens[Math.floor(r() * lens.length)];
  const alphabet = ["a", "b", "Z", "0", " ", "=", "é", "日", "🙂", "\u0000", "\n"];
  const ascii = r() < 0.6;
  let s = "";
  while (s.length < Math.min(n, 40)) s += ascii ? String.fromCharCode(32 + Math.floor(r() * 95)) : alphabet[Math.floor(r() * alphabet.length)];
  return n > 40 ? [...s.repeat(Math.ceil(n / s.length))].slice(0, n).join("") : s; // whole code points
}

/** A key/value pair: key and value in either order, padded lengths, an empty value left out, unknown fields. */
function pairBytes(r: () => number, k: string, v: string): number[] {
  const parts: number[][] = [lenField(1, utf8(k), r() < 0.2 ? 1 : 0)];
  if (v !== "" || r() < 0.5) parts.push(lenField(2, utf8(v), r() < 0.2 ? 1 + Math.floor(r() * 2) : 0));
  // Unknown fields, a varint in field 2's place among them: only a length-delimited field 2 is the value.
  if (r() < 0.2) parts.push(unknownField(r, 3 + Math.floor(r() * 5)));
  if (r() < 0.1) parts.push([0x10, 0x07]);
  if (r() < 0.1) parts.unshift([0x08, 0x03]); // and a varint in field 1's: only a length-delimited field 1 is the key
  if (r() < 0.2) shuffle(r, parts);
  return parts.flat();
}

interface Expected {
  topic: string;
  source: string;
  tags: Array<[string, string]>;
  records: Array<Record<string, string | number>>;
  timeNs: number[];
}

/** One LogGroupList written with random but valid encodings, and the records it must decode to. */
function variedBody(r: () => number): { body: Buffer; expected: Expected[] } {
  const keyPool = ["k", "host", "msg", "level", "client_ip", "é-key", "x".repeat(127), "y".repeat(128), "z".repeat(200), "a b"];
  const expected: Expected[] = [];
  const out: number[] = [];
  const groups = 1 + Math.floor(r() * 3);
  for (let g = 0; g < groups; g++) {
    const layout = shuffle(r, keyPool.slice()).slice(0, 1 + Math.floor(r() * 5));
    const topic = r() < 0.5 ? text(r) : "";
    const source = r() < 0.5 ? "10.0.0." + Math.floor(r() * 255) : "";
    const tags: Array<[string, string]> =
      r() < 0.5
        ? []
        : [
            ["__client_ip__", "1.2.3.4"],
            ["t" + Math.floor(r() * 3), r() < 0.2 ? "" : text(r)],
          ];
    const logs: number[][] = [];
    const records: Array<Record<string, string | number>> = [];
    const timeNs: number[] = [];
    const nLogs = Math.floor(r() * 5);
    for (let l = 0; l < nLogs; l++) {
      const keys = r() < 0.8 ? layout : shuffle(r, keyPool.slice()).slice(0, Math.floor(r() * 4));
      const rec: Record<string, string | number> = {};
      const fields: number[][] = [];
      for (const k of keys) {
        const v = r() < 0.1 ? "" : text(r);
        rec[k] = v;
        fields.push(lenField(2, pairBytes(r, k, v), r() < 0.15 ? 1 : 0));
      }
      const time = r() < 0.3 ? 2 ** 32 - 1 - Math.floor(r() * 1000) : 1_700_000_000 + Math.floor(r() * 1e6);
      fields.push([0x08, ...varint(time, r() < 0.2 ? 3 : 0)]);
      const ns = r() < 0.5 ? Math.floor(r() * 1e9) : 0;
      if (ns || r() < 0.3) fields.push([0x25, ns & 0xff, (ns >>> 8) & 0xff, (ns >>> 16) & 0xff, ns >>> 24]);
      if (r() < 0.3) fields.push(unknownField(r, 5 + Math.floor(r() * 3)));
      if (r() < 0.3) {
        // Time and nanoseconds before, between or after the contents: only the contents keep their order.
        const last = fields.splice(keys.length);
        for (const f of last) fields.splice(Math.floor(r() * (fields.length + 1)), 0, f);
      }
      logs.push(lenField(1, fields.flat(), r() < 0.1 ? 2 : 0));
      rec.__time__ = time;
      records.push(rec);
      timeNs.push(ns);
    }
    const meta: number[][] = [];
    if (topic !== "" || r() < 0.3) meta.push(lenField(3, utf8(topic)));
    if (source !== "" || r() < 0.3) meta.push(lenField(4, utf8(source)));
    for (const [k, v] of tags) meta.push(lenField(6, pairBytes(r, k, v)));
    if (r() < 0.3) meta.push(lenField(5, utf8("machine-uuid")), lenField(2, utf8("reserved")));
    if (r() < 0.3) meta.push(unknownField(r, 7 + Math.floor(r() * 3)));
    // Metadata after the logs (our encoder's order), before them, or between them.
    const fieldsOfGroup = r() < 0.5 ? [...logs] : [...meta, ...logs];
    if (fieldsOfGroup.length === logs.length) {
      // Each metadata field after the one before it (tags keep their order), among or after the logs.
      let at = r() < 0.6 ? fieldsOfGroup.length : Math.floor(r() * (fieldsOfGroup.length + 1));
      for (const m of meta) {
        fieldsOfGroup.splice(at, 0, m);
        at += 1 + Math.floor(r() * (fieldsOfGroup.length - at));
      }
    }
    out.push(...lenField(1, fieldsOfGroup.flat(), r() < 0.1 ? 1 : 0));
    if (r() < 0.1) out.push(...unknownField(r, 2 + Math.floor(r() * 3)));
    for (const rec of records) {
      // The record keys after the contents, in sls-consumer's order (see RecordGroup).
      const t = rec.__time__;
      delete rec.__time__;
      rec.__time__ = t;
      rec.__topic__ = topic;
      rec.__source__ = source;
      for (const [k, v] of tags) rec[`__tag__:${k}`] = v;
    }
    expected.push({ topic, source, tags, records, timeNs });
  }
  return { body: Buffer.from(out), expected };
}

/** A decoded list for a failure message, long texts cut. */
const brief = (x: unknown): string =>
  JSON.stringify(x, (_k, v: unknown) => (typeof v === "string" && v.length > 24 ? `${v.slice(0, 12)}...(${v.length})` : v)).slice(0, 3000);

test("any valid encoding decodes to the records it holds: field order, padded varints, unknown fields of every wire type, long keys and values, metadata anywhere", () => {
  for (let seed = 1; seed <= 150; seed++) {
    const { body, expected } = variedBody(rng(seed));
    const got = decodeLogGroupListRecords(body).map((g) => ({ topic: g.topic, source: g.source, tags: g.tags, records: g.records, timeNs: g.timeNs }));
    if (!isDeepStrictEqual(got, expected)) assert.fail(`seed ${seed}: decoded ${brief(got)}, encoded ${brief(expected)}`);
    for (let i = 0; i < got.length; i++) {
      for (let j = 0; j < got[i].records.length; j++)
        assert.deepEqual(Object.keys(got[i].records[j]), Object.keys(expected[i].records[j]), `seed ${seed} key order`);
    }
    // Log by log, as sls-consumer emits them.
    const list = scanLogGroupList(body);
    assert.equal(
      list.logCount,
      expected.reduce((n, g) => n + g.records.length, 0),
      `seed ${seed} logCount`,
    );
    for (let i = 0; i < list.length; i++) {
      const g = list.at(i)!;
      assert.equal(g.logCount, expected[i].records.length);
      for (let j = 0; j < g.logCount; j++) {
        if (!isDeepStrictEqual(g.nextRecord(), expected[i].records[j])) assert.fail(`seed ${seed} group ${i} log ${j}: nextRecord differs`);
        assert.equal(g.lastTimeNs, expected[i].timeNs[j]);
      }
      g.release();
    }
  }
});

test("malformed bodies fail when scanned (never later, when records are built), as a CodecError naming what is wrong", () => {
  const log = (...fields: number[][]): number[] => lenField(1, fields.flat());
  const body = (...logs: number[][]): Buffer => Buffer.from(lenField(1, logs.flat()));
  const pair = lenField(2, [...lenField(1, utf8("k")), ...lenField(2, utf8("v"))]);
  const time = [0x08, ...varint(5)];
  const cases: Array<[string, Buffer, RegExp]> = [
    ["no Time", body(log(pair)), /log without the required Time field/],
    ["a pair without a key (usual encoding)", body(log(time, lenField(2, lenField(2, utf8("v"))))), /key\/value pair without a key/],
    ["a pair without a key (after an unknown field)", body(log(time, lenField(2, [0x18, 0x01, ...lenField(2, utf8("v"))]))), /key\/value pair without a key/],
    ["a key given as a varint", body(log(time, lenField(2, [0x08, 0x05, ...lenField(2, utf8("v"))]))), /key\/value pair without a key/],
    ["a tag without a key", Buffer.from(lenField(1, [...log(time, pair), ...lenField(6, lenField(2, utf8("v")))])), /key\/value pair without a key/],
    ["a truncated varint", Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x80]), /truncated varint/],
    ["a varint cut by the end of its log", body(log(time, [0x30, 0x80]), log(time)), /truncated varint/],
    // A Log of 4 bytes whose pair claims 6: the bytes after the Log would make a whole pair.
    [
      "a pair running past the end of its log",
      Buffer.from([0x0a, 0x0a, 0x0a, 0x04, 0x12, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76]),
      /length 6 runs past the end/,
    ],
    ["a truncated long varint", Buffer.from([0x0a, 0x07, 0x0a, 0x05, 0x08, 0x80, 0x80, 0x80, 0x80]), /truncated varint/],
    ["a varint of 11 bytes", body(log(time, [0x30, ...Array(10).fill(0xff), 0x01])), /varint longer than 10 bytes/],
    ["a length beyond 32 bits", Buffer.from([0x0a, ...varint(2 ** 40)]), /length 1099511627776 runs past the end/],
    ["a truncated Time_ns", body(log(time, [0x25, 1, 2])), /truncated fixed32/],
    ["a truncated unknown fixed32", body(log(time, [0x3d, 1, 2, 3])), /truncated fixed32/],
    ["a truncated unknown fixed64", body(log(time, [0x39, 1, 2, 3, 4, 5, 6, 7])), /truncated fixed64/],
    ["an unknown wire type", body(log(time, [0x3b])), /unsupported wire type 3/],
  ];
  for (const [what, bad, message] of cases) refusedAlike(what, bad, message);
  // At the exact end, the same fields are whole: a fixed64 and a fixed32 that end the log, a 10-byte varint.
  const whole = body(log(time, pair, [0x39, 1, 2, 3, 4, 5, 6, 7, 8], [0x25, 7, 0, 0, 0], [0x30, ...Array(9).fill(0xff), 0x01]));
  const g = scanLogGroupList(whole).at(0)!;
  assert.deepEqual([g.nextRecord(), g.lastTimeNs], [{ k: "v", __time__: 5, __topic__: "", __source__: "" }, 7]);
});

test("field keys are read as themselves whatever other keys came before (the key memo, its collisions and prefixes)", () => {
  const r = rng(7);
  // Thousands of distinct keys of a few lengths, each also after its own prefixes and extensions:
  // more than the memo has places, so keys of equal length and prefixes of each other share one.
  const keys: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const base = Array.from({ length: 1 + Math.floor(r() * 12) }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join("");
    keys.push(base, base.slice(0, -1) || "z", base + "x");
  }
  for (const k of keys) {
    assert.equal(cachedKey(Buffer.from(`..${k}..`), 2, 2 + Buffer.byteLength(k)), k);
  }
  // A key longer than the memo takes (64 bytes) is read every time.
  const long = "q".repeat(65);
  assert.equal(cachedKey(Buffer.from(long), 0, 65), long);
  assert.equal(cachedKey(Buffer.from("r" + long.slice(1)), 0, 65), "r" + long.slice(1));
});

// ---- The fast path's length reads: a value crafted so that a misread length finds a whole pair there.

/** One group of one log: Time 5, then the given Contents pair (its bytes after the 0x12 tag and length). */
const oneLog = (pair: number[]): Buffer => Buffer.from(lenField(1, lenField(1, [0x08, 0x05, ...lenField(2, pair)])));

test("a pair whose bytes would read as another pair under a misread length decodes as itself", () => {
  const cases: Array<[string, Buffer, string, string]> = [];
  {
    // Pair length 1280 = 0x80 0x0a: read as one byte (128), the pair would start at the 0x0a and
    // its key (length 10, the real key's tag) would end at key[9] = 0x12, a "value" of 114 bytes
    // (key[10]) ending exactly 128 bytes on.
    const key = Buffer.from("abcdefghi\x12r" + "stuvwxyz0", "latin1");
    const value = "v".repeat(1280 - 2 - key.length - 1 - 2);
    const pair = [0x0a, key.length, ...key, 0x12, ...varint(value.length), ...utf8(value)];
    assert.deepEqual(varint(pair.length), [0x80, 0x0a]);
    cases.push(["a two-byte pair length", oneLog(pair), key.toString("latin1"), value]);
  }
  {
    // Key length 128 = 0x80 0x01: read as one byte (0x80), the key would end at its own last
    // byte (0x12), followed by a "value" of 18 bytes (the real value's tag) ending with the pair.
    const key = "k".repeat(127) + "\x12";
    const value = "w".repeat(17);
    const pair = [0x0a, 0x80, 0x01, ...utf8(key), 0x12, value.length, ...utf8(value)];
    cases.push(["a two-byte key length", oneLog(pair), key, value]);
  }
  {
    // Pair length 163840 = 0x80 0x80 0x0a: its third byte unchecked, it would read as 16384 and
    // the pair start at the 0x0a, with a key of 10 bytes ending at key[9] = 0x12 and a two-byte
    // "value" length (key[10..11] = 0xf1 0x7f: 16369) ending exactly there.
    const key = Buffer.from([...utf8("abcdefghi"), 0x12, 0xf1, 0x7f, ...utf8("tail")]);
    const value = "u".repeat(163840 - 2 - key.length - 1 - 3);
    const pair = [0x0a, key.length, ...key, 0x12, ...varint(value.length), ...utf8(value)];
    assert.deepEqual(varint(pair.length), [0x80, 0x80, 0x0a]);
    cases.push(["a three-byte pair length", oneLog(pair), key.toString("utf8"), value]);
  }
  for (const [what, body, key, value] of cases) {
    const want = [{ topic: "", source: "", tags: [], records: [{ [key]: value, __time__: 5, __topic__: "", __source__: "" }], timeNs: [0] }];
    assert.deepEqual(decodeLogGroupList(body).map(toRecordGroup), want, `reference: ${what}`);
    assert.deepEqual(decodeLogGroupListRecords(body), want, what);
    const g = scanLogGroupList(body).at(0)!;
    assert.deepEqual(g.nextRecord(), want[0].records[0], `${what}, nextRecord`);
  }
});

test("a varint of 5 bytes or more cut by the end of its log fails, even when the next byte would end it", () => {
  const time = [0x08, 0x05];
  // Unknown field 6 (a varint): 4 bytes with the continuation bit, then the log ends; the next
  // log's tag (0x0a) would end the varint if the reader read on past its log.
  for (const cut of [4, 5, 9]) {
    const body = Buffer.from(lenField(1, [...lenField(1, [...time, 0x30, ...Array(cut).fill(0x80)]), ...lenField(1, time)]));
    assert.throws(
      () => decodeLogGroupList(body),
      (e: Error) => e instanceof CodecError && /truncated varint/.test(e.message),
      `reference, ${cut} bytes`,
    );
    assert.throws(
      () => scanLogGroupList(body),
      (e: Error) => e instanceof CodecError && e.message === "LogGroupList: truncated varint at byte 7",
      `${cut} bytes`,
    );
  }
});

test("logsIn and logsInAll count the logs of arrays of groups and of pulled lists, building no records", () => {
  const rec = { __time__: 1, __topic__: "", __source__: "" };
  const plain = (records: number, logCount?: number): RecordGroup => ({
    topic: "",
    source: "",
    tags: [],
    records: Array.from({ length: records }, () => rec),
    timeNs: Array<number>(records).fill(0),
    ...(logCount === undefined ? {} : { logCount }),
  });
  assert.equal(logsIn(plain(3)), 3);
  assert.equal(logsIn(plain(0)), 0);
  assert.equal(logsIn(plain(0, 4)), 4); // logCount, when given, even with no records built
  assert.equal(logsIn(plain(2, 0)), 0);
  assert.equal(logsInAll([]), 0);
  assert.equal(logsInAll([plain(3)]), 3);
  assert.equal(logsInAll([plain(3), plain(0), plain(0, 4), plain(2)]), 9);

  const groups: LogGroup[] = [2, 0, 3].map((n) => ({ logs: Array.from({ length: n }, (_, i) => ({ time: 10 + i, contents: [["k", String(i)]] })), tags: [] }));
  const list = scanLogGroupList(encodeLogGroupList(groups.map(encodeLogGroup)));
  assert.equal(logsInAll(list), 5);
  assert.deepEqual(
    [0, 1, 2].map((i) => logsIn(list.at(i)!)),
    [2, 0, 3],
  );
});

test("PulledGroupList.at is undefined outside the list; nextRecord and records refuse a released group", () => {
  const groups: LogGroup[] = [0, 1].map((i) => ({ logs: [{ time: 100 + i, contents: [["msg", `m${i}`]] }], tags: [] }));
  const body = encodeLogGroupList(groups.map(encodeLogGroup));
  const list = scanLogGroupList(body);
  assert.equal(list.length, 2);
  // (=== rather than assert.equal: a wrong group would make the failure message diff a whole body)
  for (const i of [-1, 2, 3, -0.5, Number.NaN]) assert.ok(list.at(i) === undefined, `at(${i}) is not undefined`);
  assert.deepEqual(list.at(1)!.nextRecord(), { msg: "m1", __time__: 101, __topic__: "", __source__: "" });
  assert.deepEqual(
    [...list].map((g) => g.logCount),
    [1, 1],
  );

  // Released, one group of the two (the body stays readable) or both: reading throws, nothing is decoded.
  const again = scanLogGroupList(body);
  const g0 = again.at(0)!;
  g0.release();
  assert.throws(() => g0.nextRecord(), /^Error: internal: a PulledGroup was read after release\(\)$/);
  assert.throws(() => g0.records, /read after release/);
  const g1 = again.at(1)!;
  assert.deepEqual(g1.nextRecord(), { msg: "m1", __time__: 101, __topic__: "", __source__: "" });
  g1.release();
  assert.throws(() => g1.nextRecord(), /read after release/);
});

// ---- The fast path (usualPair) must take a pair only when it is exactly the usual encoding: bytes crafted so
// that a misread offset or length would still find a whole "usual pair" must decode as the general path does.

/** One group of one log whose fields are given whole (Time included, where wanted). */
const logOf = (...fields: number[][]): Buffer => Buffer.from(lenField(1, lenField(1, fields.flat())));
const latin1 = (s: string): number[] => [...Buffer.from(s, "latin1")];

test("a pair the fast path could misread as another usual pair decodes as the general path does", () => {
  const time = [0x08, 0x05];
  const pairOf = (content: number[]): number[] => lenField(2, content);
  const kv = (k: number[], v: number[]): number[] => [...lenField(1, k), ...lenField(2, v)];
  const unknown = (n: number): number[] => [0x1a, n - 2, ...Array<number>(n - 2).fill(0x75)]; // field 3, n bytes in all
  const cases: Array<[string, Buffer, Record<string, string | number>]> = [
    // The key's start at its own length byte: an empty key would make the whole pair the value.
    ["an empty key", logOf(time, pairOf(kv([], utf8("v")))), { "": "v" }],
    // A two-byte pair length (130 = 0x82 0x01): its high byte (1) as the key length would find 0x12 at key[1]
    // and a value of key[2] = 125 bytes ending exactly with the pair.
    [
      "a key forging a value at the pair length's high byte",
      logOf(time, pairOf(kv(latin1("a\x12}bc"), utf8("x".repeat(121))))),
      { "a\x12}bc": "x".repeat(121) },
    ],
    // The key's last byte (0xa9 of "é") as a two-byte value length with the value's first byte (0): 41 bytes.
    ["a key ending in a byte of 0x80 or more", logOf(time, pairOf(kv(utf8("é"), utf8("\u0000" + "y".repeat(41))))), { é: "\u0000" + "y".repeat(41) }],
    // A one-byte value length (1) read with the value's first byte (1) as two: 129, the unknown field after it.
    ["a value followed by an unknown field", logOf(time, pairOf([...kv(utf8("k"), [0x01]), ...unknown(129)])), { k: "\u0001" }],
    // A padded value length (0x80 0x00: 0) read as one byte: 128, the unknown field after it.
    ["a padded empty value followed by an unknown field", logOf(time, pairOf([...lenField(1, utf8("k")), 0x12, 0x80, 0x00, ...unknown(127)])), { k: "" }],
    // An unknown length-delimited field of the Log (field 5) holding a usual pair is no pair.
    ["an unknown field holding a pair", logOf(time, [0x2a, ...varint(6), ...kv(utf8("k"), utf8("v"))], pairOf(kv(utf8("a"), utf8("b")))), { a: "b" }],
    // The Time (6) just before a pair whose value field comes twice (the last one counts): 6 bytes from the
    // pair's start make a whole usual pair with the first value.
    ["a value given twice, after a Time of 6", logOf([0x08, 0x06], pairOf([...kv(utf8("k"), utf8("v")), ...lenField(2, utf8("w"))])), { k: "w", __time__: 6 }],
    // The previous value's last bytes (0x0a 0x04) and this pair's tag and lengths would make a key of 4 bytes,
    // followed by this pair's key as a value (0x12, length 2, "xy") ending 2 bytes before the pair does.
    [
      "a pair after a value ending as a key's tag and length",
      logOf(time, pairOf(kv(utf8("a"), [0x0a, 0x04])), pairOf(kv([0x12, 0x02, ...utf8("xy")], utf8("AB")))),
      { a: "\n\u0004", "\u0012\u0002xy": "AB" },
    ],
    // A one-byte pair length (24) read with the key's tag (0x0a) as two: 1304, the key's length byte (10) as a
    // key tag, and the key's bytes a key of 5 bytes and a value of 1294 bytes ending inside the next pair.
    [
      "a key of 10 bytes forging a pair of 1304 bytes",
      logOf(time, pairOf(kv([0x05, ...utf8("abcde"), 0x12, 0x8e, 0x0a, 0x7a], utf8("0123456789"))), pairOf(kv(utf8("k"), utf8("v".repeat(1400))))),
      { [Buffer.from([0x05, ...utf8("abcde"), 0x12, 0x8e, 0x0a, 0x7a]).toString("utf8")]: "0123456789", k: "v".repeat(1400) },
    ],
  ];
  for (const [what, body, fields] of cases) {
    const want = [{ topic: "", source: "", tags: [], records: [{ ...fields, __time__: fields.__time__ ?? 5, __topic__: "", __source__: "" }], timeNs: [0] }];
    assert.deepEqual(decodeLogGroupList(body).map(toRecordGroup), want, `reference: ${what}`);
    assert.deepEqual(decodeLogGroupListRecords(body), want, what);
    const g = scanLogGroupList(body).at(0)!;
    assert.deepEqual(g.nextRecord(), want[0].records[0], `${what}, nextRecord`);
    assert.deepEqual(Object.keys(decodeLogGroupListRecords(body)[0].records[0]), Object.keys(want[0].records[0]), `${what}, key order`);
  }
});

test("a value running past the end of its pair fails when scanned, whatever length the fast path would read there", () => {
  const time = [0x08, 0x05];
  const cases: Array<[string, Buffer, RegExp]> = [
    // Value length 8 with 4 bytes left in the pair: read 4 bytes early, it would end with the pair.
    [
      "a one-byte value length 4 bytes too long",
      logOf(time, lenField(2, [...lenField(1, utf8("kk")), 0x12, 0x08, ...utf8("vvvv")])),
      /length 8 runs past the end/,
    ],
    // Value length 128 (0x80 0x01) with 126 bytes left: read from its first byte on, it would end with the pair.
    [
      "a two-byte value length 2 bytes too long",
      logOf(time, lenField(2, [...lenField(1, utf8("k")), 0x12, 0x80, 0x01, ...utf8("v".repeat(126))])),
      /length 128 runs past the end/,
    ],
  ];
  for (const [what, bad, message] of cases) refusedAlike(what, bad, message);
});

test("a key is compared with the expected layout's byte for byte: a reversed key, or one whose differing bytes the bytes before it would match", () => {
  // Per case: the first log's key (the group's expected layout), then the second log's, same length.
  const cases: Array<[string, number[], number[]]> = [
    ["four bytes reversed", utf8("abcd"), utf8("dcba")],
    // Bytes 4..7 of the expected key are the 4 bytes before the second key: pair tag, pair length (13), key tag, key length.
    ["bytes 4..7 as the bytes before the key", [...utf8("abcd"), 0x12, 0x0d, 0x0a, 0x08], utf8("abcdEFGH")],
    // Bytes 1..2 of a 3-byte expected key are the key length and key tag, read backwards from the key.
    ["bytes 1..2 as the bytes before the key", [0x63, 0x03, 0x0a], utf8("cXY")],
  ];
  for (const [what, first, second] of cases) {
    const log = (key: number[], time: number, v: string): number[] => lenField(1, [0x08, time, ...lenField(2, [...lenField(1, key), ...lenField(2, utf8(v))])]);
    const body = Buffer.from(
      lenField(1, [...log(first, 1, "v"), ...log(second, 2, "w"), ...lenField(6, [...lenField(1, utf8(`layout ${what}`)), ...lenField(2, [])])]),
    );
    const tag = { [`__tag__:layout ${what}`]: "" };
    const want = [
      { [Buffer.from(first).toString("utf8")]: "v", __time__: 1, __topic__: "", __source__: "", ...tag },
      { [Buffer.from(second).toString("utf8")]: "w", __time__: 2, __topic__: "", __source__: "", ...tag },
    ];
    assert.deepEqual(decodeLogGroupList(body).map(toRecordGroup)[0].records, want, `reference: ${what}`);
    for (let round = 0; round < 2; round++) assert.deepEqual(decodeLogGroupListRecords(body)[0].records, want, `${what}, round ${round}`);
  }
});

test("the first log of a group with tag keys never seen before may have no contents", () => {
  const body = encodeLogGroupList([
    encodeLogGroup({
      logs: [
        { time: 1, contents: [] },
        { time: 2, contents: [] },
        { time: 3, contents: [["k", "v"]] },
      ],
      tags: [["first log without contents", "t"]],
    }),
  ]);
  const tag = { "__tag__:first log without contents": "t" };
  assert.deepEqual(decodeLogGroupListRecords(body)[0].records, [
    { __time__: 1, __topic__: "", __source__: "", ...tag },
    { __time__: 2, __topic__: "", __source__: "", ...tag },
    { k: "v", __time__: 3, __topic__: "", __source__: "", ...tag },
  ]);
});
