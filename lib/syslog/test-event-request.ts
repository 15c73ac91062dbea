// What the "send test event" button of the sls-syslog-server dialog may do with a request, decided
// without Node-RED. The endpoint is an admin API: whoever can call it must not be able to make the
// runtime use the stored client key (mutual TLS), its passphrase, a key file on the runtime's disk
// or an environment variable anywhere else than where the deployed node already uses them.
//
// Rules:
// - the request carries the dialog's settings and is checked with the node's own spec
//   (lib/config/sls-syslog-server.ts): a value the node would refuse is refused, same message;
// - a credential left out or sent as "__PWRD__" (the editor's "unchanged password") means the
//   stored value, which exists only for a deployed sls-syslog-server node of that id;
// - the secrets (client key, passphrase, key file) of the deployed node are used only with its
//   saved protocol and only towards its saved targets (host, port and TLS name as deployed); a
//   request that sends them elsewhere is refused. A key file is a secret on the runtime's disk:
//   only the deployed node's own key file is read;
// - `${VAR}` in a request value is refused unless it is the saved value of that setting (then
//   the deployed node's value is used, as Node-RED substituted it, and its credentials as the node
//   expands them).

import { SLS_SYSLOG_SERVER } from "../config/sls-syslog-server";
import { currentVersion, describeAll, resolve, type Raw, type Resolved } from "../config/spec";
import type { Target } from "./targets";

export type ServerSettings = Resolved<typeof SLS_SYSLOG_SERVER.props>;

/** The deployed sls-syslog-server node the request names. */
export interface SavedServer {
  /** Its settings as saved in the flow (`${VAR}` unexpanded). */
  raw: Raw;
  /** Its stored credentials, unexpanded. */
  credentials: Raw;
  /** The settings it runs with. */
  resolved: ServerSettings;
}

export class TestEventRefused extends Error {
  override readonly name = "TestEventRefused";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const PASSWORD_PLACEHOLDER = "__PWRD__";
const SECRETS = ["key", "passphrase"] as const;
const LABEL: Record<string, string> = { key: "client key", passphrase: "key passphrase", keyFile: "key file" };

const hasEnvRef = (v: unknown): boolean => JSON.stringify(v ?? "").includes("${");
const filled = (v: unknown): boolean => typeof v === "string" && v.trim() !== "";

/** The settings the test uses (checked by the node's spec) and the targets it goes to, or throws TestEventRefused. */
export function testEventPlan(
  body: unknown,
  saved: SavedServer | undefined,
  env: Record<string, string | undefined>,
): { settings: ServerSettings; targets: Target[] } {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new TestEventRefused("ParameterInvalid", "expected a JSON object");
  const b = body as Raw;
  const c: Raw = { version: currentVersion(SLS_SYSLOG_SERVER) };
  const creds: Raw = {};
  const stored: string[] = [];
  for (const [name, prop] of Object.entries(SLS_SYSLOG_SERVER.props)) {
    const v = b[name];
    if (prop.credential) {
      const mine = saved?.credentials[name];
      if (v === undefined || v === PASSWORD_PLACEHOLDER) {
        if (v === PASSWORD_PLACEHOLDER && !saved)
          throw new TestEventRefused(
            "StoredCredentialsRefused",
            `no deployed sls-syslog-server holds a stored ${LABEL[name] ?? name}: type it, or deploy first`,
          );
        if (!filled(mine)) continue;
        creds[name] = mine;
        if ((SECRETS as readonly string[]).includes(name) || hasEnvRef(mine)) stored.push(name);
      } else if (hasEnvRef(v)) {
        if (v !== mine)
          throw new TestEventRefused(
            "ParameterInvalid",
            `the ${LABEL[name] ?? name} holds \${...}: environment variables are read only for the deployed node's stored settings`,
          );
        creds[name] = v;
        stored.push(name);
      } else creds[name] = v;
    } else if (hasEnvRef(v) || ((v === null || v === undefined) && saved && hasEnvRef(saved.raw[name]))) {
      // (A select cannot show `${VAR}`: the dialog sends null for the saved reference.)
      if (!saved || (v !== null && v !== undefined && JSON.stringify(v) !== JSON.stringify(saved.raw[name]))) {
        throw new TestEventRefused("ParameterInvalid", `${name} holds \${...}: environment variables are read only for the deployed node's saved settings`);
      }
      c[name] = (saved.resolved as Raw)[name];
    } else if (v !== undefined) c[name] = v;
  }
  if (filled(c.keyFile)) {
    if (!saved || String(c.keyFile).trim() !== String(saved.resolved.keyFile ?? "").trim()) {
      throw new TestEventRefused(
        "StoredCredentialsRefused",
        "a key file is read from the runtime's disk only for the deployed node's own key file: deploy this setting first, or paste the key",
      );
    }
    stored.push("keyFile");
  }
  const r = resolve(SLS_SYSLOG_SERVER, c, { credentials: creds, env });
  if (!r.ok) throw new TestEventRefused("ParameterInvalid", describeAll(r.problems));
  const settings = r.value;
  const targets = targetsOf(settings);
  const tls = settings.protocol === "tls" || (settings.protocol === "relp" && settings.relpTls);
  if (stored.length > 0 && tls) {
    const allowed = saved ? new Set(targetsOf(saved.resolved).map((t) => targetKey(t, saved.resolved))) : new Set<string>();
    const sameProtocol = saved !== undefined && saved.resolved.protocol === settings.protocol && saved.resolved.relpTls === settings.relpTls;
    const elsewhere = targets.filter((t) => !allowed.has(targetKey(t, settings)));
    if (!sameProtocol || elsewhere.length > 0) {
      const what = [...new Set(stored)].map((k) => LABEL[k] ?? `stored ${k}`).join(", ");
      throw new TestEventRefused(
        "StoredCredentialsRefused",
        `the stored ${what} ${stored.length > 1 ? "are" : "is"} only used with the deployed node's protocol towards its saved targets${elsewhere.length ? ` (not ${elsewhere.map((t) => `${t.host}:${t.port}`).join(", ")})` : ""}: type ${stored.length > 1 ? "them" : "it"} again to test other targets, or deploy first`,
      );
    }
  }
  return { settings, targets };
}

/** The first target (host, port) and the more targets, ports defaulting to the first's. */
export function targetsOf(s: ServerSettings): Target[] {
  return [
    { host: s.host, port: s.port },
    ...s.moreTargets.map((t) => ({ host: t.host, port: t.port ?? s.port, ...(t.servername ? { servername: t.servername } : {}) })),
  ];
}

/** A target as a TLS connection sees it: host, port and the name its certificate is checked against. */
function targetKey(t: Target, s: ServerSettings): string {
  return JSON.stringify([t.host.toLowerCase(), t.port, (t.servername ?? s.servername ?? t.host).toLowerCase()]);
}
