import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node } from "node-red";
import { skipMetricsWhenOff } from "../../nodes/metrics";

/** A node whose metric() answers `on` without arguments and records every metric event. */
function fakeNode(on: boolean): { node: Node; events: string[] } {
  const events: string[] = [];
  const proto = {
    metric(event?: string): boolean | void {
      if (event === undefined) return on;
      events.push(event);
    },
  };
  return { node: Object.create(proto) as Node, events };
}

test("metrics off: the node's metric calls record nothing, and metric() still answers false", () => {
  const { node, events } = fakeNode(false);
  skipMetricsWhenOff(node);
  const m = node as unknown as { metric(event?: string, msg?: object): unknown };
  m.metric("send", { _msgid: "1" });
  m.metric("receive", { _msgid: "1" });
  assert.deepEqual(events, []);
  assert.equal(m.metric(), false);
});

test("metrics on: the node's metric calls are left alone", () => {
  const { node, events } = fakeNode(true);
  skipMetricsWhenOff(node);
  (node as unknown as { metric(event?: string, msg?: object): unknown }).metric("send", { _msgid: "1" });
  assert.deepEqual(events, ["send"]);
});
