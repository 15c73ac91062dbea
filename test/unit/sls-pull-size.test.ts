import { test } from "node:test";
import assert from "node:assert/strict";
import { PULL_TARGET_BYTES, pullGroupCount } from "../../lib/sls/shard-reader";

const base = { maxInFlight: 1000, readers: 4, pullCount: 1000, logsPerGroup: 0, bytesPerGroup: 0 };

test("pullGroupCount: before any pull, the reader's share of half the window, in groups of 100 logs", () => {
  assert.equal(pullGroupCount(base), 2); // max(200, 1000 / 8) logs
  assert.equal(pullGroupCount({ ...base, maxInFlight: 10_000 }), 13); // 1250 logs
  assert.equal(pullGroupCount({ ...base, readers: 0 }), 5); // 500 logs, readers counted as 1
});

test("pullGroupCount: about PULL_TARGET_BYTES of raw data once the group size is known", () => {
  assert.equal(PULL_TARGET_BYTES, 1024 * 1024);
  assert.equal(pullGroupCount({ ...base, logsPerGroup: 100, bytesPerGroup: 10_000 }), 104); // 1 048 576 / 10 000
  assert.equal(pullGroupCount({ ...base, logsPerGroup: 100, bytesPerGroup: 50_000 }), 20); // 1 048 576 / 50 000
  assert.equal(pullGroupCount({ ...base, logsPerGroup: 100, bytesPerGroup: 600_000 }), 2); // big groups: the window share (200 logs) wins
  assert.equal(pullGroupCount({ ...base, logsPerGroup: 100, bytesPerGroup: 2 << 20 }), 2); // huge groups: the window share still applies
  assert.equal(pullGroupCount({ ...base, logsPerGroup: 4096, bytesPerGroup: 4 << 20 }), 1); // never 0
});

test("pullGroupCount: never more than the configured pull count", () => {
  assert.equal(pullGroupCount({ ...base, logsPerGroup: 1, bytesPerGroup: 100 }), 1000); // 10 485 groups of 100 bytes
  assert.equal(pullGroupCount({ ...base, pullCount: 7, logsPerGroup: 1, bytesPerGroup: 100 }), 7);
  assert.equal(pullGroupCount({ ...base, pullCount: 7, maxInFlight: 100_000 }), 7);
});
