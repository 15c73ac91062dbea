// The test helper seen through its sinon spies, and the core and syslog nodes the tests load.

import type { Node, NodeAPI } from "node-red";
import { coreNode } from "../../support/node-red-runtime";
import { helper as redHelper } from "./red-helper";

export interface SpyCall {
  args: unknown[];
}
export interface Spy {
  called: boolean;
  callCount: number;
  args: unknown[][];
  getCalls(): SpyCall[];
}
export type TestNode = Node & { status: Node["status"] & Spy; error: Node["error"] & Spy; warn: Node["warn"] & Spy; log: Node["log"] & Spy } & {
  receive(msg: object): void;
  on(ev: string, cb: (...a: any[]) => void): TestNode; // eslint-disable-line @typescript-eslint/no-explicit-any
  once(ev: string, cb: (...a: any[]) => void): TestNode; // eslint-disable-line @typescript-eslint/no-explicit-any
};
export interface Helper {
  load(nodes: unknown[], flow: object[], credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  log(): Spy;
}

// One initialised test helper for the whole suite (red-helper.ts); this module gives it the spy types.
export const helper: Helper = redHelper as unknown as Helper;

export const catchNode: unknown = coreNode("common/25-catch.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const serverNode: unknown = require("../../nodes/sls-syslog-server");
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const outNode: unknown = require("../../nodes/sls-syslog-out");

/** A pseudo node module that captures the runtime API (for RED.nodes.eachNode = the saved flow). */
export function captureRed(): { module: (red: NodeAPI) => void; red: () => NodeAPI } {
  let captured: NodeAPI | undefined;
  return {
    module: (red: NodeAPI) => {
      captured = red;
    },
    red: () => captured!,
  };
}

/** Everything the runtime logged, as text. */
export function loggedText(): string {
  return helper
    .log()
    .args.map((a) => JSON.stringify(a[0]))
    .join("\n");
}

/** Resolves with the first status call on `node` matching `pred`. */
export function statusWhere(
  node: TestNode,
  pred: (s: { fill?: string; shape?: string; text?: string }) => boolean,
): Promise<{ fill?: string; shape?: string; text?: string }> {
  for (const c of node.status.getCalls()) {
    const s = c.args[0] as { fill?: string; text?: string };
    if (pred(s)) return Promise.resolve(s);
  }
  return new Promise((resolve) => {
    const on = (call: SpyCall): void => {
      const s = call.args[0] as { fill?: string; text?: string };
      if (pred(s)) {
        node.removeListener("call:status", on);
        resolve(s);
      }
    };
    node.on("call:status", on);
  });
}
