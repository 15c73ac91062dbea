// sls-connection: where SLS is and the AccessKey to sign with.

import { custom, oneOf, text } from "./rules";
import { optional, required, unversioned, nodeSpec, type Raw } from "./spec";

/** A host name or an http(s) URL with nothing after the host (https when no scheme is given). */
export function endpointOk(v: string): boolean {
  if (/\s/.test(v)) return false;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "" && (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash && !u.username;
  } catch {
    return false;
  }
}

/** Sources that sign with the key fields as they are (lib/sls/credentials.ts; an absent auth is one of them). */
const keyAuth = (c: Raw): boolean => c.auth === undefined || c.auth === "" || c.auth === "access_key" || c.auth === "sts";

export const SLS_CONNECTION = nodeSpec({
  type: "sls-connection",
  props: {
    endpoint: required(custom((v) => (typeof v === "string" && endpointOk(v.trim()) ? v.trim() : undefined), { key: "endpoint" }), ""),
    cname: optional(oneOf(["auto", "on", "off"]), "auto", "auto" as const),
    // The key fields of the AccessKey and STS sources (and of flows saved before `auth` existed);
    // the other credential sources and their settings are checked by lib/sls/credentials.ts.
    accessKeyId: required(text(), "", { credential: "text", when: keyAuth }),
    accessKeySecret: required(text(), "", { credential: "password", when: keyAuth }),
    securityToken: optional(text(), "", undefined, { credential: "password", when: keyAuth }),
  },
  steps: [unversioned],
});
