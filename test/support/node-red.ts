// Typed access to node-red-node-test-helper (it ships no types) and the core nodes tests use.

import type { Node, NodeAPI } from "node-red";

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
  init(runtimePath: string, settings?: object): void;
  load(nodes: unknown[], flow: object[], credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  log(): Spy;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper: Helper = require("node-red-node-test-helper");
helper.init(require.resolve("node-red"));

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const catchNode: unknown = require("@node-red/nodes/core/common/25-catch.js");
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
export function statusWhere(node: TestNode, pred: (s: { fill?: string; shape?: string; text?: string }) => boolean): Promise<{ fill?: string; shape?: string; text?: string }> {
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
