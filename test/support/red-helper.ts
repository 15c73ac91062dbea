// Typed access to node-red-node-test-helper (it ships no types), initialised on the installed runtime.
import type { Node } from "node-red";
import { nodeRedMain } from "../../demo/node-red-runtime";

export interface TestNode extends Node {
  status: Node["status"] & { lastCall?: { args: unknown[] }; args: unknown[][] };
}

export interface RedHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(nodes: unknown[], flow: object[], credentials?: Record<string, object>): Promise<void>;
  setFlows(flow: object[], type: "full" | "flows" | "nodes", credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): import("http").Server & { post(path: string): { send(body: object): Promise<{ status: number; body: unknown }> } };
  log(): { args: unknown[][] };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require("node-red-node-test-helper") as RedHelper;
helper.init(nodeRedMain, { nodeCloseTimeout: 15_000 });

/** Polls `cond` every 10 ms; rejects with `what` after `ms`. */
export function until(cond: () => boolean, ms = 20_000, what = "condition"): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** Text of the node's latest status call, or "". */
export function statusText(n: TestNode): string {
  const a = n.status.lastCall?.args?.[0] as { text?: string } | undefined;
  return a?.text ?? "";
}
