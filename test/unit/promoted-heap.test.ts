import assert from "node:assert/strict";
import { test } from "node:test";
import { topSites } from "../../support/processes/promoted-heap";

type Node = Parameters<typeof topSites>[0];
const node = (functionName: string, url: string, lineNumber: number, selfSize: number, children: Node[] = []): Node => ({
  callFrame: { functionName, url, lineNumber },
  selfSize,
  children,
});

test("promoted-heap: bytes are summed per site (frame and two callers), largest first, root left out", () => {
  const head = node("(root)", "", -1, 0, [
    node("decode", "file:///p/dist/lib/sls/log-group.js", 711, 3_000_000, [
      node("", "file:///p/dist/lib/a/b.js", 0, 1_000_000, [node("leaf", "file:///p/c/d.js", 4, 500_000)]),
    ]),
    node("map", "file:///p/dist/lib/mapping/kv.js", 9, 2_000_000),
    node("decode", "file:///p/dist/lib/sls/log-group.js", 711, 1_500_000),
  ]);
  assert.deepEqual(topSites(head, 10), [
    { site: "decode sls/log-group.js:712", mb: 4.5 },
    { site: "map mapping/kv.js:10", mb: 2 },
    { site: "(anonymous) a/b.js:1 < decode sls/log-group.js:712", mb: 1 },
    { site: "leaf c/d.js:5 < (anonymous) a/b.js:1 < decode sls/log-group.js:712", mb: 0.5 },
  ]);
  assert.equal(topSites(head, 2).length, 2);
});
