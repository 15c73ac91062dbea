// The flow `npm start` deploys on a fresh Node-RED user dir: one of the shipped examples, put on its
// own tab. Examples take every setting from the recipe's environment variables (${SLS_ENDPOINT}...),
// so the same flow runs against the local emulator and receiver or against production.

import fs from "node:fs";
import path from "node:path";

/** The example deployed by the demo (file under examples/, without .json). */
export const DEMO_EXAMPLE = "SLS to rsyslog relay (RFC 5424 kv)";

type FlowNode = { id: string; type: string; z?: string; [k: string]: unknown };

/**
 * Loads an example flow and places its nodes on a new tab (config nodes, the ones without a canvas
 * position, stay global). `credentials` (by node type) are attached inline so that the admin API
 * stores them; values like "${SLS_AK_ID}" are resolved from the environment when the flow starts.
 */
export function exampleOnTab(packageRoot: string, example: string, tabLabel: string, credentials: Record<string, Record<string, string>> = {}): FlowNode[] {
  const file = path.join(packageRoot, "examples", `${example}.json`);
  const nodes = JSON.parse(fs.readFileSync(file, "utf8")) as FlowNode[];
  const tab: FlowNode = { id: "demo0tab0000001", type: "tab", label: tabLabel, disabled: false, info: "" };
  const out: FlowNode[] = [tab];
  for (const n of nodes) {
    const copy: FlowNode = { ...n };
    if (typeof copy.x === "number") copy.z = tab.id;
    const creds = credentials[copy.type];
    if (creds) copy.credentials = { ...creds };
    out.push(copy);
  }
  return out;
}
