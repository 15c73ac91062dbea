// A real Node-RED runtime with its editor, in this process, loading this package from the
// working tree (nodesDir), on 127.0.0.1 and a free port, with `flow` deployed. For browser tests of
// our dialogs. Node-RED is a process-wide singleton: one per test file.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startNodeRed as startEmbedded } from "../../support/node-red";

export interface EmbeddedNodeRed {
  url: string;
  stop(): Promise<void>;
}

const packageRoot = path.resolve(__dirname, "..", "..", "..");

export async function startNodeRed(flow: object[]): Promise<EmbeddedNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-nr-"));
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flow));
  const red = await startEmbedded({ userDir, packageRoot, port: 0, logLevel: "error", codeEditor: "ace" });
  return {
    url: red.url,
    async stop() {
      await red.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}
