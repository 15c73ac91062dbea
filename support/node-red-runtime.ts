// Which Node-RED the demo, the tests and the benchmarks run: the one in this package's
// node_modules (the devDependency, Node-RED 4), or, when NODE_RED_FROM names a folder, the one
// installed there (CI's second leg installs Node-RED 5 in .ci/node22, see .ci/run). Everything that
// loads the runtime or its core nodes goes through here, so one variable switches them all.

import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** The folder named by NODE_RED_FROM, or undefined for this package's own Node-RED. */
export const nodeRedFrom: string | undefined = process.env.NODE_RED_FROM ? path.resolve(process.env.NODE_RED_FROM) : undefined;

function requireFromRuntime(): NodeRequire {
  if (!nodeRedFrom) return require;
  const req = createRequire(path.join(nodeRedFrom, "package.json"));
  // Resolution walks up the tree: without this check a missing install would silently fall back
  // to this package's Node-RED, and a leg of the matrix would test the wrong runtime.
  const found = fs.existsSync(path.join(nodeRedFrom, "node_modules", "node-red", "package.json"));
  if (!found) throw new Error(`NODE_RED_FROM=${nodeRedFrom}: no node-red installed there (run npm ci --prefix ${nodeRedFrom})`);
  return req;
}

const fromRuntime = requireFromRuntime();

/** Path of the runtime's main module (what node-red-node-test-helper's init() takes). */
export const nodeRedMain: string = fromRuntime.resolve("node-red");

/** Folder of the node-red package in use. */
export const nodeRedDir: string = path.dirname(fromRuntime.resolve("node-red/package.json"));

/** Version of the node-red package in use. */
export const nodeRedVersion: string = (JSON.parse(fs.readFileSync(path.join(nodeRedDir, "package.json"), "utf8")) as { version: string }).version;

/** The Node-RED runtime module (a process-wide singleton). */
export function loadNodeRed<T = typeof import("node-red")>(): T {
  return fromRuntime(nodeRedMain) as T;
}

/** Folder of the @node-red/nodes package that belongs to the runtime in use (core nodes). */
export const coreNodesDir: string = path.dirname(createRequire(path.join(nodeRedDir, "package.json")).resolve("@node-red/nodes/package.json"));

/** A core node module of the runtime in use, e.g. coreNode("common/25-catch.js"). */
export function coreNode(file: string): unknown {
  return fromRuntime(path.join(coreNodesDir, "core", file));
}
