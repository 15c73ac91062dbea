import { test } from "node:test";
import assert from "node:assert/strict";
import { CodecError, decodeLogGroupList, decodeLogGroupListRecords, encodeLogGroup, encodeLogGroupList, type LogGroup } from "../../lib/sls/log-group";
import { toRecordGroup } from "../../lib/sls/record-group";
import { GENERATOR_KINDS, LogGenerator } from "../../emulator/generator";

test("decodeLogGroupListRecords equals decodeLogGroupList + toRecordGroup, key order included", () => {
  const groups: LogGroup[] = [];
  for (const kind of GENERATOR_KINDS) {
    const gen = new LogGenerator(kind, { seed: 3, groupSize: 7 });
    for (let i = 0; i < 5; i++) groups.push(gen.group(1_800_000_000_000 + i));
  }
  groups.push({ logs: [{ time: 5, contents: [["a", ""], ["ü-ключ", "値 ✓"], ["a", "again"]] }], tags: [], machineUuid: "m", reserved: "r" });
  groups.push({ logs: [], tags: [["only", "tags"]], topic: "t" });
  // Value lengths around the fast path's varint limits, and a long key.
  groups.push({ logs: [{ time: 6, contents: [["v127", "x".repeat(127)], ["v128", "y".repeat(128)], ["v16383", "z".repeat(16383)], ["v16384", "w".repeat(16384)], ["k".repeat(200), "long key"]] }], tags: [] });
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
    const a = (() => { try { decodeLogGroupList(bad); return "ok"; } catch (e) { return e instanceof CodecError ? "codec" : "other"; } })();
    const b = (() => { try { decodeLogGroupListRecords(bad); return "ok"; } catch (e) { return e instanceof CodecError ? "codec" : "other"; } })();
    assert.equal(b, a, `cut at ${cut}`);
  }
  // A log without its required Time field.
  const noTime = Buffer.from([0x0a, 0x06, 0x0a, 0x04, 0x12, 0x02, 0x0a, 0x00]);
  assert.throws(() => decodeLogGroupListRecords(noTime), CodecError);
});
