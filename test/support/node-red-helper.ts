// Typed access to node-red-node-test-helper (it ships no types), initialised against the
// installed Node-RED runtime.

import type { EventEmitter } from "node:events";

export interface HelperNode extends EventEmitter {
  id: string;
  warn: { callCount: number; args: unknown[][] };
  error: { callCount: number; args: unknown[][] };
  status: { callCount: number; lastCall: { args: unknown[] } | null };
  receive(msg: object): void;
}

interface TestResponse {
  status: number;
  body: unknown;
}
interface TestRequest extends PromiseLike<TestResponse> {
  send(body: unknown): TestRequest;
  set(name: string, value: string): TestRequest;
  expect(status: number): TestRequest;
}

export interface Helper {
  init(runtimePath: string, settings?: object): void;
  load(nodes: unknown[], flow: object[], credentials?: object): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): HelperNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): { get(url: string): TestRequest; post(url: string): TestRequest };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require("node-red-node-test-helper") as Helper;
helper.init(require.resolve("node-red"));

/** Resolves with the next message the node receives. */
export function nextInput<T = Record<string, unknown>>(node: HelperNode): Promise<T> {
  return new Promise((resolve) => node.once("input", (m: T) => resolve(m)));
}
