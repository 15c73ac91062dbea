// What the "test connection" button of the sls-connection dialog may do with a request, decided
// without Node-RED. The endpoint is an admin API: whoever can call it must not be able to make the
// runtime send a stored AccessKey, a secret, an STS token or an environment variable anywhere else
// than where the deployed connection already sends them.
//
// Rules:
// - a credential field left out or sent as "__PWRD__" (the editor's "unchanged password") means the
//   stored value; stored values exist only for a deployed sls-connection node of that id (the id
//   of any other node, or of none, has no stored values: "__PWRD__" is then refused);
// - stored values (and the environment variables they name) go only to that node's saved endpoint
//   with its saved addressing mode: a request that mixes them with another endpoint is refused;
// - request values are used as typed: a `${VAR}` in a request field is refused unless it is the
//   saved value of that field (then the saved value is used, expanded as the deployed node does);
// - project and logstore must be SLS names (they become part of the host name and the path).

import { SlsError } from "./errors";
import type { SlsCredentials } from "./client";

/** The body the dialog posts (all optional: the caller is untrusted). */
export interface ConnectionTestRequest {
  id?: unknown;
  endpoint?: unknown;
  cname?: unknown;
  accessKeyId?: unknown;
  accessKeySecret?: unknown;
  securityToken?: unknown;
  project?: unknown;
  logstore?: unknown;
}

/** The deployed sls-connection node the request names, as saved. */
export interface SavedConnection {
  /** The endpoint as written in the flow (may be `${VAR}`). */
  rawEndpoint: string;
  /** The endpoint the deployed node uses (after Node-RED's `${VAR}` substitution). */
  endpoint: string;
  cname: string;
  /** The stored credentials, unexpanded. */
  credentials: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
}

/** Where and how to send the test request. */
export interface ConnectionTestTarget {
  endpoint: string;
  cname: string;
  credentials: SlsCredentials;
  project: string;
  logstore: string;
  /** True when a stored value is used (the target is then the saved endpoint). */
  usesStored: boolean;
}

export const PASSWORD_PLACEHOLDER = "__PWRD__";

/** SLS project names: 3..63 of a-z 0-9 -, not starting or ending with -. */
export const PROJECT_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** SLS logstore names: 2..63 of a-z 0-9 _ -, starting with a letter or digit. */
export const LOGSTORE_NAME = /^[a-z0-9][a-z0-9_-]{1,62}$/;

const ENV_REF = /\$\{/;
const WHOLE_ENV_REF = /^\$\{(\w+)\}$/;

type CredKey = "accessKeyId" | "accessKeySecret" | "securityToken";
const CRED_KEYS: readonly CredKey[] = ["accessKeyId", "accessKeySecret", "securityToken"];

function refuse(code: string, message: string): SlsError {
  return new SlsError(code, message, { retryable: false });
}

/** A stored credential value, `${VAR}` read from the environment as the deployed node reads it. */
export function expandStored(value: string | undefined, env: NodeJS.ProcessEnv, what: string): string {
  const v = (value ?? "").trim();
  const m = WHOLE_ENV_REF.exec(v);
  if (!m) return value ?? "";
  const e = env[m[1]];
  if (e === undefined) throw refuse("EnvironmentVariableNotSet", `environment variable ${m[1]} (the ${what}) is not set`);
  return e;
}

function optionalString(body: ConnectionTestRequest, key: keyof ConnectionTestRequest): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw refuse("ParameterInvalid", `${key} must be a string`);
  return v;
}

const LABEL: Record<CredKey, string> = { accessKeyId: "AccessKey ID", accessKeySecret: "AccessKey secret", securityToken: "STS token" };

/**
 * Decides the target of a test request, or throws an SlsError (codes ParameterMissing,
 * ParameterInvalid, EnvironmentVariableNotSet, StoredCredentialsRefused) that the endpoint reports.
 * `saved` is the deployed sls-connection node named by body.id, or undefined when there is none.
 */
export function connectionTestTarget(body: ConnectionTestRequest, saved: SavedConnection | undefined, env: NodeJS.ProcessEnv): ConnectionTestTarget {
  const project = optionalString(body, "project")?.trim() ?? "";
  const logstore = optionalString(body, "logstore")?.trim() ?? "";
  const endpointIn = optionalString(body, "endpoint")?.trim() ?? "";
  const cnameIn = optionalString(body, "cname")?.trim() || "auto";
  if (!endpointIn || !project || !logstore) throw refuse("ParameterMissing", "endpoint, project and logstore are required");
  if (!PROJECT_NAME.test(project)) throw refuse("ParameterInvalid", `project "${project}" is not an SLS project name (3 to 63 of a-z, 0-9 and -)`);
  if (!LOGSTORE_NAME.test(logstore)) throw refuse("ParameterInvalid", `logstore "${logstore}" is not an SLS logstore name (2 to 63 of a-z, 0-9, _ and -)`);

  const stored: CredKey[] = [];
  const creds: Record<CredKey, string> = { accessKeyId: "", accessKeySecret: "", securityToken: "" };
  for (const k of CRED_KEYS) {
    const v = optionalString(body, k);
    const savedValue = saved?.credentials[k];
    if (v === PASSWORD_PLACEHOLDER && !saved)
      throw refuse(
        "StoredCredentialsRefused",
        `no deployed sls-connection node ${JSON.stringify(body.id ?? "")} holds a stored ${LABEL[k]}: type it, or deploy first`,
      );
    if (v === undefined || v === PASSWORD_PLACEHOLDER || (v !== "" && v === savedValue && ENV_REF.test(v))) {
      if (savedValue === undefined || savedValue === "") continue; // nothing stored: empty
      stored.push(k);
      creds[k] = savedValue;
    } else if (ENV_REF.test(v)) {
      throw refuse(
        "ParameterInvalid",
        `the ${LABEL[k]} holds \${...}: environment variables are read only from the deployed connection's stored credentials, never from a test request`,
      );
    } else creds[k] = v;
  }

  let endpoint = endpointIn;
  let savedEndpoint = false;
  if (saved && (endpointIn === saved.rawEndpoint.trim() || endpointIn === saved.endpoint)) {
    const unset = WHOLE_ENV_REF.exec(saved.endpoint);
    if (unset) throw refuse("EnvironmentVariableNotSet", `environment variable ${unset[1]} (the saved endpoint) is not set`);
    endpoint = saved.endpoint;
    savedEndpoint = cnameIn === (saved.cname || "auto");
  } else if (ENV_REF.test(endpointIn)) {
    throw refuse("ParameterInvalid", "the endpoint holds ${...}: environment variables are read only for the deployed connection's saved endpoint");
  }
  if (stored.length > 0 && !savedEndpoint) {
    throw refuse(
      "StoredCredentialsRefused",
      `the stored ${stored.map((k) => LABEL[k]).join(", ")} ${stored.length > 1 ? "are" : "is"} only sent to the deployed connection's saved endpoint and addressing: type ${stored.length > 1 ? "them" : "it"} again to test another endpoint, or deploy first`,
    );
  }
  const credentials: SlsCredentials = {
    accessKeyId: stored.includes("accessKeyId") ? expandStored(creds.accessKeyId, env, LABEL.accessKeyId) : creds.accessKeyId,
    accessKeySecret: stored.includes("accessKeySecret") ? expandStored(creds.accessKeySecret, env, LABEL.accessKeySecret) : creds.accessKeySecret,
  };
  const token = stored.includes("securityToken") ? expandStored(creds.securityToken, env, LABEL.securityToken) : creds.securityToken;
  if (token) credentials.securityToken = token;
  return { endpoint, cname: cnameIn, credentials, project, logstore, usesStored: stored.length > 0 };
}
