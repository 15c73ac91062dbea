// Typed access to node-red-node-test-helper (it ships no types), initialised on the installed runtime.
import type { Node } from "node-red";
import { nodeRedMain } from "../../support/node-red-runtime";

export { until } from "./until";

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

// The helper's setFlows waits only 300 ms for "flows:started" after the deploy returns: on a loaded
// machine a redeploy takes longer and the test fails with "timeout waiting event". Same deploy,
// listening before it starts and waiting up to 15 s.
{
  const h = helper as unknown as {
    _redNodes: { setFlows(flow: object[], credentials: object, type: string): Promise<unknown> };
    _events: { once(ev: string, cb: () => void): void; removeListener(ev: string, cb: () => void): void };
  };
  helper.setFlows = async (flow, type, credentials) => {
    let onStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (onStarted = resolve));
    h._events.once("flows:started", onStarted);
    try {
      await h._redNodes.setFlows(flow, credentials ?? {}, type || "full");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        started,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("flows did not start within 15 s of the deploy")), 15_000))),
      ]);
      clearTimeout(timer);
    } finally {
      h._events.removeListener("flows:started", onStarted);
    }
  };
}

/** Text of the node's latest status call, or "". */
export function statusText(n: TestNode): string {
  const a = n.status.lastCall?.args?.[0] as { text?: string } | undefined;
  return a?.text ?? "";
}
