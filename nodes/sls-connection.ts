// Config node: where SLS is and how to sign. Owns one SlsClient shared by every consumer using it.
import type { NodeAPI, NodeDef } from "node-red";
import type { Request, Response } from "express";
import { SLS_CONNECTION } from "../lib/config";
import { SlsClient, plainHttpRemote } from "../lib/sls/client";
import type { CnameMode } from "../lib/sls/cname-gateway";
import { LOGSTORE_NAME, PROJECT_NAME, connectionTestTarget, type ConnectionTestRequest, type SavedConnection } from "../lib/sls/connection-test";
import { CREDENTIAL_SOURCES, credentialsFrom, type CredentialSourceKind, type CredentialsProvider, type SlsCredentials } from "../lib/sls/credentials";
import { SlsError } from "../lib/sls/errors";
import { catalogue } from "./messages";
import { startSettings } from "./settings";
import type { SlsConnectionNode } from "./types";

interface ConnDef extends NodeDef {
  endpoint: string;
  cname?: CnameMode;
  /** Credential source (lib/sls/credentials.ts); absent in older flows: AccessKey, or STS with a token. */
  auth?: CredentialSourceKind;
  roleArn?: string;
  roleSessionName?: string;
  durationSeconds?: number | string;
  policy?: string;
  stsEndpoint?: string;
  roleName?: string;
  metadataEndpoint?: string;
  imdsV2Only?: boolean;
  oidcProviderArn?: string;
  oidcTokenFile?: string;
  credentialsFile?: string;
  profile?: string;
  version?: number;
}

/** Everything secret stays here (Node-RED credentials), never in the flow. */
interface ConnCreds {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  externalId?: string;
}

type ConnNode = SlsConnectionNode & { credentials: ConnCreds; auth?: CredentialSourceKind; sourceSettings?: Record<string, unknown> };

/** Settings of the role-based sources, as the dialog posts them for a test. */
const SOURCE_FIELDS = [
  "roleArn",
  "roleSessionName",
  "durationSeconds",
  "policy",
  "stsEndpoint",
  "roleName",
  "metadataEndpoint",
  "imdsV2Only",
  "oidcProviderArn",
  "oidcTokenFile",
  "credentialsFile",
  "profile",
] as const;

const sameSetting = (a: unknown, b: unknown): boolean => String(a ?? "").trim() === String(b ?? "").trim();

const CNAME_MODES: CnameMode[] = ["auto", "on", "off"];

/** `${VAR}` in a credential field reads the environment, like Node-RED does for properties. */
function envOr(v: unknown): string {
  // Saved values are text, but a hand-edited or imported flow may hold a number: read as text.
  const s = v === undefined || v === null ? "" : String(v);
  const m = /^\$\{(\w+)\}$/.exec(s.trim());
  return m ? (process.env[m[1]] ?? "") : s;
}

/** The connection's credential source; older flows without `auth` use the key fields as they are. */
function authOf(def: Pick<ConnDef, "auth">, c: ConnCreds): CredentialSourceKind {
  if (CREDENTIAL_SOURCES.includes(def.auth as CredentialSourceKind)) return def.auth as CredentialSourceKind;
  return envOr(c.securityToken) ? "sts" : "access_key";
}

/**
 * The keys (or the provider of keys) a connection signs with. A configuration the source refuses
 * becomes a provider that fails with that error: every consumer shows it and retries, and a fixed
 * flow (or environment) recovers without a crash at deploy.
 */
function toCredentials(def: ConnDef, c: ConnCreds): SlsCredentials | CredentialsProvider {
  const text = (v: unknown): string => (v === undefined || v === null ? "" : String(v)).trim();
  const duration = Number(String(def.durationSeconds ?? "").trim());
  try {
    return credentialsFrom({
      source: authOf(def, c),
      accessKeyId: envOr(c.accessKeyId),
      accessKeySecret: envOr(c.accessKeySecret),
      securityToken: envOr(c.securityToken) || undefined,
      externalId: envOr(c.externalId) || undefined,
      roleArn: text(def.roleArn),
      roleSessionName: text(def.roleSessionName),
      durationSeconds: Number.isInteger(duration) && duration > 0 ? duration : undefined,
      policy: text(def.policy) || undefined,
      stsEndpoint: text(def.stsEndpoint),
      roleName: text(def.roleName),
      metadataEndpoint: text(def.metadataEndpoint),
      disableIMDSv1: def.imdsV2Only === true,
      oidcProviderArn: text(def.oidcProviderArn),
      oidcTokenFile: text(def.oidcTokenFile),
      credentialsFile: text(def.credentialsFile),
      profile: text(def.profile),
    });
  } catch (e) {
    const err = e instanceof SlsError ? e : new SlsError("CredentialsConfigInvalid", (e as Error).message, { retryable: false });
    return () => Promise.reject(err);
  }
}

function cnameMode(cname: string | undefined): CnameMode {
  return CNAME_MODES.includes(cname as CnameMode) ? (cname as CnameMode) : "auto";
}

function makeClient(def: ConnDef, endpoint: string, creds: ConnCreds): SlsClient {
  return new SlsClient({ endpoint, cname: cnameMode(def.cname), credentials: toCredentials(def, creds) });
}

export = function (RED: NodeAPI): void {
  const t = catalogue(RED, "sls-connection");
  function SlsConnection(this: ConnNode, def: ConnDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    (node as { endpoint: string }).endpoint = (def.endpoint ?? "").trim();
    (node as { cname?: string }).cname = cnameMode(def.cname);
    node.auth = authOf(def, node.credentials ?? {});
    node.sourceSettings = Object.fromEntries(SOURCE_FIELDS.map((k) => [k, def[k]]));
    const cfg = startSettings(RED, node, SLS_CONNECTION, def, node.credentials ?? {});
    // Once at start: every consumer using this connection shows it in its status too.
    const clear = cfg ? plainHttpRemote(cfg.endpoint) : undefined;
    if (clear) {
      (node as { plainHttp?: string }).plainHttp = clear;
      node.warn(t("sls-connection.warnings.plain-http", { host: clear }));
    }
    let client: SlsClient | undefined;
    node.getClient = () => {
      // Users check the connection's settings first (nodes/settings.ts): a refused one is never asked.
      if (!cfg) throw new Error(t("sls-connection.errors.not-started", { name: node.name || node.id }));
      return (client ??= makeClient(def, cfg.endpoint, node.credentials ?? {}));
    };
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
      externalId: { type: "password" },
    },
  });

  // "Test connection" in the dialog: list a logstore's shards with the settings being edited.
  // Which stored values it may use, and where it may send them: lib/sls/connection-test.ts.
  // JSON only: a cross-site form (urlencoded, multipart, text/plain) cannot send JSON without a
  // CORS preflight, so it cannot trigger a request when adminAuth is off.
  RED.httpAdmin.post("/sls-connection/test", RED.auth.needsPermission("sls-connection.write"), (req: Request, res: Response) => {
    if (!req.is("application/json")) {
      res.status(415).json({ ok: false, code: "UnsupportedMediaType", message: t("sls-connection.errors.test-json") });
      return;
    }
    void (async () => {
      let client: SlsClient | undefined;
      try {
        const body = (req.body ?? {}) as ConnectionTestRequest;
        if (typeof body !== "object" || Array.isArray(body))
          throw new SlsError("ParameterInvalid", t("sls-connection.errors.test-object"), { retryable: false });
        const auth = typeof (body as { auth?: unknown }).auth === "string" ? String((body as { auth?: unknown }).auth) : "access_key";
        if (auth !== "access_key" && auth !== "sts") {
          const { node, project, logstore } = deployedForTest(body, auth);
          const shared = node.getClient();
          const shards = await shared.listShards(project, logstore);
          res.json({ ok: true, host: shared.hostFor(project), shards });
          return;
        }
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

  /**
   * Role-based sources (instance role, role ARN, OIDC, file, default chain) are tested with the
   * deployed connection itself, and only when the dialog shows exactly its settings: a test never
   * makes the runtime fetch keys with settings nobody deployed.
   */
  function deployedForTest(body: ConnectionTestRequest, auth: string): { node: ConnNode; project: string; logstore: string } {
    const b = body as ConnectionTestRequest & Record<string, unknown>;
    const saved = savedConnection(b.id);
    const node = typeof b.id === "string" ? (RED.nodes.getNode(b.id) as ConnNode | null) : null;
    const project = typeof b.project === "string" ? b.project.trim() : "";
    const logstore = typeof b.logstore === "string" ? b.logstore.trim() : "";
    if (!PROJECT_NAME.test(project) || !LOGSTORE_NAME.test(logstore))
      throw new SlsError("ParameterInvalid", t("sls-connection.errors.test-names"), { retryable: false });
    const endpoint = typeof b.endpoint === "string" ? b.endpoint.trim() : "";
    const same =
      saved !== undefined &&
      node !== null &&
      node.auth === auth &&
      (endpoint === saved.rawEndpoint.trim() || endpoint === saved.endpoint) &&
      (typeof b.cname === "string" ? b.cname : "auto") === saved.cname &&
      SOURCE_FIELDS.every((k) => sameSetting(b[k], node.sourceSettings?.[k]));
    if (!same) throw new SlsError("DeployFirst", t("sls-connection.errors.test-deploy-first"), { retryable: false });
    return { node: node!, project, logstore };
  }

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
