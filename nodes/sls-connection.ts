// Config node: where SLS is and how to sign. Owns one SlsClient shared by every consumer using it.
import type { NodeAPI, NodeDef } from "node-red";
import type { Request, Response } from "express";
import { SlsClient, type SlsCredentials } from "../lib/sls/client";
import type { CnameMode } from "../lib/sls/cname-gateway";
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

function makeClient(endpoint: string, cname: string | undefined, creds: ConnCreds): SlsClient {
  const mode = CNAME_MODES.includes(cname as CnameMode) ? (cname as CnameMode) : "auto";
  return new SlsClient({ endpoint, cname: mode, credentials: toCredentials(creds) });
}

export = function (RED: NodeAPI): void {
  function SlsConnection(this: ConnNode, def: ConnDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    (node as { endpoint: string }).endpoint = (def.endpoint ?? "").trim();
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
  // Unchanged password fields arrive as "__PWRD__" and are taken from the deployed node.
  RED.httpAdmin.post("/sls-connection/test", RED.auth.needsPermission("sls-connection.write"), (req: Request, res: Response) => {
    void (async () => {
      const b = (req.body ?? {}) as { id?: string; endpoint?: string; cname?: string; project?: string; logstore?: string } & ConnCreds;
      const stored = (b.id ? (RED.nodes.getCredentials(b.id) as ConnCreds | undefined) : undefined) ?? {};
      const pick = (k: keyof ConnCreds): string | undefined => (b[k] === undefined || b[k] === "__PWRD__" ? stored[k] : b[k]);
      try {
        if (!b.endpoint || !b.project || !b.logstore) throw new SlsError("ParameterMissing", "endpoint, project and logstore are required", { retryable: false });
        const client = makeClient(b.endpoint, b.cname, { accessKeyId: pick("accessKeyId"), accessKeySecret: pick("accessKeySecret"), securityToken: pick("securityToken") });
        const shards = await client.listShards(b.project, b.logstore);
        res.json({ ok: true, host: client.hostFor(b.project), shards });
      } catch (e) {
        const err = e instanceof SlsError ? e : new SlsError("Error", (e as Error).message);
        res.json({ ok: false, code: err.code, status: err.status, message: err.message });
      }
    })();
  });
};
