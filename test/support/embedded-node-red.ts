// A real Node-RED runtime with its editor, in this process, loading this package from the
// working tree (nodesDir), on 127.0.0.1 and a free port. For browser tests of our dialogs.

import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { loadNodeRed } from "../../support/node-red-runtime";

export interface EmbeddedNodeRed {
  url: string;
  stop(): Promise<void>;
}

const packageRoot = path.resolve(__dirname, "..", "..", "..");

export async function startNodeRed(flow: object[]): Promise<EmbeddedNodeRed> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const express = require("express") as () => http.RequestListener & { use(path: string, h: unknown): void };
  const RED = loadNodeRed<{
    init(server: http.Server, settings: object): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    httpAdmin: unknown;
  }>();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-nr-"));
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flow));
  const app = express();
  const server = http.createServer(app);
  RED.init(server, {
    userDir,
    flowFile: "flows.json",
    credentialSecret: false,
    nodesDir: [packageRoot],
    httpAdminRoot: "/",
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] }, codeEditor: { lib: "ace" } },
    externalModules: { palette: { allowInstall: false } },
    diagnostics: { enabled: false, ui: false },
    logging: { console: { level: "error" } },
  });
  app.use("/", RED.httpAdmin);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await RED.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      await RED.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}
