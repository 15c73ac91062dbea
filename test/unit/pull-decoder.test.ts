import { test } from "node:test";
import assert from "node:assert/strict";
import { CodecError, decodeLogGroupList, encodeLogGroup, encodeLogGroupList, type LogGroup } from "../../lib/sls/log-group-codec";
import { decodeLogGroupListRecords, detachWhenReleased, scanLogGroupList } from "../../lib/sls/pull-decoder";
import { toRecordGroup } from "../../lib/sls/pull-decoder";
import { GENERATOR_KINDS, LogGenerator } from "../../emulator/generator";
import { execFileSync } from "node:child_process";
import path from "node:path";

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
