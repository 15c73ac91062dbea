import { test } from "node:test";
import assert from "node:assert/strict";
import protobuf from "protobufjs";
import { CodecError, decodeLogGroup, decodeLogGroupList, encodeLogGroup, encodeLogGroupList, type LogGroup } from "../../lib/sls/log-group-codec";

// The schema of docs/sls-protocol.md, "LogGroupList (protobuf)", given to protobufjs as an
// independent reference codec.
const root = protobuf.Root.fromJSON({
  nested: {
    Log: {
      fields: {
        Time: { id: 1, type: "uint32", rule: "required" },
        Contents: { id: 2, type: "Content", rule: "repeated" },
        TimeNs: { id: 4, type: "fixed32" },
      },
      nested: {
        Content: {
          fields: { Key: { id: 1, type: "string", rule: "required" }, Value: { id: 2, type: "string", rule: "required" } },
        },
      },
    },
    LogTag: {
      fields: { Key: { id: 1, type: "string", rule: "required" }, Value: { id: 2, type: "string", rule: "required" } },
    },
    LogGroup: {
      fields: {
        Logs: { id: 1, type: "Log", rule: "repeated" },
        Reserved: { id: 2, type: "string" },
        Topic: { id: 3, type: "string" },
        Source: { id: 4, type: "string" },
        MachineUUID: { id: 5, type: "string" },
        LogTags: { id: 6, type: "LogTag", rule: "repeated" },
      },
    },
    LogGroupList: { fields: { logGroupList: { id: 1, type: "LogGroup", rule: "repeated" } } },
  },
});
const PbGroup = root.lookupType("LogGroup");
const PbList = root.lookupType("LogGroupList");

interface PbLogGroup {
  Logs: Array<{ Time: number; TimeNs?: number; Contents: Array<{ Key: string; Value: string }> }>;
  Topic?: string;
  Source?: string;
  MachineUUID?: string;
  Reserved?: string;
  LogTags: Array<{ Key: string; Value: string }>;
}

function toPb(g: LogGroup): PbLogGroup {
  return {
    Logs: g.logs.map((l) => ({
      Time: l.time,
      ...(l.timeNs !== undefined ? { TimeNs: l.timeNs } : {}),
      Contents: l.contents.map(([Key, Value]) => ({ Key, Value })),
    })),
    ...(g.topic !== undefined ? { Topic: g.topic } : {}),
    ...(g.source !== undefined ? { Source: g.source } : {}),
    ...(g.machineUuid !== undefined ? { MachineUUID: g.machineUuid } : {}),
    ...(g.reserved !== undefined ? { Reserved: g.reserved } : {}),
    LogTags: g.tags.map(([Key, Value]) => ({ Key, Value })),
  };
}

function sample(n: number, seed = 0): LogGroup {
  return {
    topic: "rds_audit",
    source: "10.0.0." + seed,
    machineUuid: "m-" + seed,
    tags: [
      ["__receive_time__", "1700000000"],
      ["hostname", "db-é🙂"],
    ],
    logs: Array.from({ length: n }, (_, i) => ({
      time: 1_700_000_000 + i,
      ...(i % 2 ? { timeNs: 123_456_789 + i } : {}),
      contents: [
        ["seq", String(seed * 1000 + i)],
        ["sql", `SELECT * FROM t WHERE a = '${"x".repeat(i * 37)}' -- ✓`],
        ["empty", ""],
        ["bin\u0000key", "line1\nline2\ttab"],
      ] as Array<[string, string]>,
    })),
  };
}

test("encodeLogGroup matches the reference codec byte for byte and decodes back", () => {
  for (const g of [sample(0), sample(1), sample(7, 3), { logs: [{ time: 0, contents: [] }], tags: [] }]) {
    const ours = encodeLogGroup(g);
    const theirs = Buffer.from(PbGroup.encode(PbGroup.fromObject(toPb(g))).finish());
    assert.deepEqual(ours, theirs);
    assert.deepEqual(decodeLogGroup(ours), g);
  }
});

test("decodeLogGroupList reads reference-encoded lists and our pre-encoded concatenation", () => {
  const groups = [sample(3, 1), sample(0, 2), sample(20, 3)];
  const ref = Buffer.from(PbList.encode(PbList.fromObject({ logGroupList: groups.map(toPb) })).finish());
  assert.deepEqual(decodeLogGroupList(ref), groups);
  const ours = encodeLogGroupList(groups.map(encodeLogGroup));
  assert.deepEqual(ours, ref);
  assert.deepEqual(decodeLogGroupList(Buffer.alloc(0)), []);
});

test("unknown fields are skipped, invalid UTF-8 becomes replacement characters", () => {
  const g = sample(1);
  const extra = Buffer.from([
    (9 << 3) | 0,
    0x96,
    0x01, // varint field 9
    (10 << 3) | 1,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8, // fixed64
    (11 << 3) | 5,
    1,
    2,
    3,
    4, // fixed32
    (12 << 3) | 2,
    2,
    0xff,
    0xfe, // bytes
  ]);
  assert.deepEqual(decodeLogGroup(Buffer.concat([encodeLogGroup(g), extra])), g);
  const bad = encodeLogGroup({ logs: [{ time: 1, contents: [["k", "ab"]] }], tags: [] });
  const at = bad.indexOf(Buffer.from("ab"));
  bad[at] = 0xff;
  assert.equal(decodeLogGroup(bad).logs[0].contents[0][1], "\ufffdb");
});

test("malformed input throws CodecError naming the place", () => {
  const good = encodeLogGroup(sample(2));
  assert.throws(() => decodeLogGroup(good.subarray(0, good.length - 1)), CodecError);
  assert.throws(() => decodeLogGroup(Buffer.from([0x0a, 0x05, 0x08])), /runs past the end/);
  assert.throws(() => decodeLogGroup(Buffer.from([0x0a, 0x05, 0x12, 0x03, 0x0a, 0x01, 0x6b])), /without the required Time/);
  assert.throws(() => decodeLogGroup(Buffer.from([0x0a, 0x04, 0x08, 0x01, 0x12, 0x00])), /pair without a key/);
  assert.throws(() => decodeLogGroup(Buffer.from([0x0b])), /unsupported wire type 3/);
  assert.throws(() => decodeLogGroupList(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), CodecError);
  assert.throws(() => encodeLogGroup({ logs: [{ time: -1, contents: [] }], tags: [] }), /uint32/);
  assert.throws(() => encodeLogGroup({ logs: [{ time: 1, timeNs: 2 ** 32, contents: [] }], tags: [] }), /uint32/);
});
