// Config node: where SLS is and how to sign. Owns one SlsClient shared by every consumer using it.
import type { NodeAPI, NodeDef } from "node-red";
import type { Request, Response } from "express";
import { SlsClient, type SlsCredentials } from "../lib/sls/client";
import type { CnameMode } from "../lib/sls/cname-gateway";
import { connectionTestTarget, type ConnectionTestRequest, type SavedConnection } from "../lib/sls/connection-test";
import { SlsError } from "../lib/sls/errors";
import type { SlsConnectionNode } from "./types";

interface ConnDef extends NodeDef {
  endpoint: string;
  cname?: CnameMode;
  version?: number;
}

interface ConnCreds {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

type ConnNode = SlsConnectionNode & { credentials: ConnCreds };

const CNAME_MODES: CnameMode[] = ["auto", "on", "off"];

/** `${VAR}` in a credential field reads the environment, like Node-RED does for properties. */
function envOr(v: string | undefined): string {
  const m = /^\$\{(\w+)\}$/.exec((v ?? "").trim());
  return m ? (process.env[m[1]] ?? "") : (v ?? "");
}

function toCredentials(c: ConnCreds): SlsCredentials {
  const token = envOr(c.securityToken);
  return { accessKeyId: envOr(c.accessKeyId), accessKeySecret: envOr(c.accessKeySecret), ...(token ? { securityToken: token } : {}) };
}

function cnameMode(cname: string | undefined): CnameMode {
  return CNAME_MODES.includes(cname as CnameMode) ? (cname as CnameMode) : "auto";
}

function makeClient(endpoint: string, cname: string | undefined, creds: ConnCreds): SlsClient {
  return new SlsClient({ endpoint, cname: cnameMode(cname), credentials: toCredentials(creds) });
}

export = function (RED: NodeAPI): void {
  function SlsConnection(this: ConnNode, def: ConnDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    (node as { endpoint: string }).endpoint = (def.endpoint ?? "").trim();
    (node as { cname?: string }).cname = cnameMode(def.cname);
    let client: SlsClient | undefined;
    node.getClient = () => (client ??= makeClient(node.endpoint, def.cname, node.credentials ?? {}));
    node.on("close", (done: () => void) => {
      client?.close();
      client = undefined;
      done();
    });
  }

  RED.nodes.registerType<ConnNode, ConnDef, object, ConnCreds>("sls-connection", SlsConnection, {
    credentials: {
      accessKeyId: { type: "text" },
      accessKeySecret: { type: "password" },
      securityToken: { type: "password" },
    },
  });

  // "Test connection" in the dialog: list a logstore's shards with the settings being edited.
  // Which stored values it may use, and where it may send them: lib/sls/connection-test.ts.
  // JSON only: a cross-site form (urlencoded, multipart, text/plain) cannot send JSON without a
  // CORS preflight, so it cannot trigger a request when adminAuth is off.
  RED.httpAdmin.post("/sls-connection/test", RED.auth.needsPermission("sls-connection.write"), (req: Request, res: Response) => {
    if (!req.is("application/json")) {
      res.status(415).json({ ok: false, code: "UnsupportedMediaType", message: "send the test request as application/json" });
      return;
    }
    void (async () => {
      let client: SlsClient | undefined;
      try {
        const body = (req.body ?? {}) as ConnectionTestRequest;
        if (typeof body !== "object" || Array.isArray(body)) throw new SlsError("ParameterInvalid", "expected a JSON object", { retryable: false });
        const target = connectionTestTarget(body, savedConnection(body.id), process.env);
        client = new SlsClient({ endpoint: target.endpoint, cname: cnameMode(target.cname), credentials: target.credentials });
        const shards = await client.listShards(target.project, target.logstore);
        res.json({ ok: true, host: client.hostFor(target.project), shards });
      } catch (e) {
        const err = e instanceof SlsError ? e : new SlsError("Error", (e as Error).message);
        res.json({ ok: false, code: err.code, status: err.status, message: err.message });
      } finally {
        client?.close();
      }
    })();
  });

  /** The deployed sls-connection node of that id, as saved (raw endpoint, stored credentials). */
  function savedConnection(id: unknown): SavedConnection | undefined {
    if (typeof id !== "string" || !id) return undefined;
    const node = RED.nodes.getNode(id) as (ConnNode & { type?: string; cname?: string }) | null;
    if (!node || node.type !== "sls-connection") return undefined;
    let rawEndpoint = node.endpoint;
    RED.nodes.eachNode((n: { id?: string; type?: string; endpoint?: unknown }) => {
      if (n.id === id && n.type === "sls-connection" && typeof n.endpoint === "string") rawEndpoint = n.endpoint;
    });
    const stored = (RED.nodes.getCredentials(id) as ConnCreds | undefined) ?? {};
    return { rawEndpoint, endpoint: node.endpoint, cname: node.cname ?? "auto", credentials: stored };
  }
};
