// lz4Concat: joined pre-compressed blocks must decompress (with lib/sls/lz4) to the joined inputs.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lz4DecompressBlock } from "../../../lib/sls/lz4";
import { lz4Concat, lz4Piece } from "../../../emulator/lz4-concat";
import { prng } from "../../../emulator/faults";

function sample(rnd: () => number): Buffer {
  const kind = rnd();
  const n = Math.floor(rnd() * (rnd() < 0.2 ? 5000 : 300));
  if (kind < 0.3) return Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256))); // incompressible
  if (kind < 0.6) return Buffer.alloc(n, "ab"); // highly repetitive
  const words = ["select", "from", "where", "user_id", "=", "10.0.0.", "GET /api", " ", "\n"];
  let s = "";
  while (s.length < n) s += words[Math.floor(rnd() * words.length)];
  return Buffer.from(s.slice(0, n));
}

describe("lz4Concat", () => {
  it("round-trips random mixes of empty, tiny, incompressible and repetitive pieces", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = prng(seed);
      const inputs = Array.from({ length: Math.floor(rnd() * 12) }, () => sample(rnd));
      const joined = Buffer.concat(inputs);
      const block = lz4Concat(inputs.map(lz4Piece));
      assert.deepEqual(lz4DecompressBlock(block, joined.length), joined, `seed ${seed}`);
    }
  });

  it("long literal runs carried over several literal-only blocks", () => {
    const inputs = Array.from({ length: 40 }, (_, i) => Buffer.from(Array.from({ length: 11 + i }, (_, j) => (j * 7 + i * 13) % 251)));
    inputs.push(Buffer.alloc(1000, "z"));
    const joined = Buffer.concat(inputs);
    assert.deepEqual(lz4DecompressBlock(lz4Concat(inputs.map(lz4Piece)), joined.length), joined);
  });
});
