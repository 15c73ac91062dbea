// sls-connection: where SLS is and the AccessKey to sign with.

import { CREDENTIAL_SOURCES } from "../sls/credential-sources";
import { bool, custom, int, oneOf, text } from "./rules";
import { optional, required, unversioned, nodeSpec, type Raw } from "./spec";

/** A host name or an http(s) URL with nothing after the host (https when no scheme is given). */
export function endpointOk(v: string): boolean {
  if (/\s/.test(v)) return false;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`);
    return (
      (u.protocol === "http:" || u.protocol === "https:") &&
      u.hostname !== "" &&
      (u.pathname === "/" || u.pathname === "") &&
      !u.search &&
      !u.hash &&
      !u.username
    );
  } catch {
    return false;
  }
}

/** Sources that sign with the key fields as they are (lib/sls/credentials.ts; an absent auth is one of them). */
const keyAuth = (c: Raw): boolean => c.auth === undefined || c.auth === "" || c.auth === "access_key" || c.auth === "sts";
/** Sources whose settings apply (the role ARN source also signs its AssumeRole with the key fields). */
const authIs =
  (...sources: string[]) =>
  (c: Raw): boolean =>
    sources.includes(String(c.auth));
const withKey = (c: Raw): boolean => keyAuth(c) || c.auth === "ram_role_arn";

/** An STS endpoint: a host name, or an https:// (http:// only for loopback) URL without path. */
export function stsEndpointOk(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  if (/^http:\/\//i.test(t)) return /^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?\/?$/i.test(t) ? t : undefined;
  return endpointOk(t) ? t : undefined;
}

const urlOk = (v: unknown): string | undefined => (typeof v === "string" && /^https?:\/\//i.test(v.trim()) && endpointOk(v.trim()) ? v.trim() : undefined);
const jsonOk = (v: unknown): string | undefined => {
  if (typeof v !== "string") return undefined;
  try {
    JSON.parse(v);
    return v.trim();
  } catch {
    return undefined;
  }
};

export const SLS_CONNECTION = nodeSpec({
  type: "sls-connection",
  props: {
    endpoint: required(
      custom((v) => (typeof v === "string" && endpointOk(v.trim()) ? v.trim() : undefined), { key: "endpoint" }),
      "",
    ),
    cname: optional(oneOf(["auto", "on", "off"]), "auto", "auto" as const),
    // The key fields of the AccessKey and STS sources (and of flows saved before `auth` existed);
    // the other credential sources and their settings are checked by lib/sls/credentials.ts.
    // The source of the keys (lib/sls/credentials.ts); absent in flows saved before it existed:
    // the key fields as they are (STS when a token is stored).
    auth: optional(oneOf(CREDENTIAL_SOURCES), "access_key", undefined),
    accessKeyId: required(text(), "", { credential: "text", when: withKey }),
    accessKeySecret: required(text(), "", { credential: "password", when: withKey }),
    securityToken: optional(text(), "", undefined, { credential: "password", when: withKey }),
    roleArn: optional(text({ pattern: /^acs:ram::\d+:role\/\S+$/, why: { key: "role-arn" } }), "", undefined, {
      when: authIs("ram_role_arn", "oidc_role_arn"),
    }),
    roleSessionName: optional(text({ pattern: /^[\w.@-]{2,64}$/, why: { key: "role-session-name" } }), "", undefined, {
      when: authIs("ram_role_arn", "oidc_role_arn"),
    }),
    durationSeconds: optional(int(900, 43_200), "", undefined, { when: authIs("ram_role_arn", "oidc_role_arn") }),
    policy: optional(custom(jsonOk, { key: "json" }), "", undefined, { when: authIs("ram_role_arn", "oidc_role_arn") }),
    externalId: optional(text(), "", undefined, { credential: "password", when: authIs("ram_role_arn") }),
    stsEndpoint: optional(custom(stsEndpointOk, { key: "sts-endpoint" }), "", undefined, {
      when: authIs("ram_role_arn", "oidc_role_arn", "credentials_file", "default"),
    }),
    roleName: optional(text({ pattern: /^[\w.@-]+$/, why: { key: "no-space" } }), "", undefined, { when: authIs("ecs_ram_role") }),
    imdsV2Only: optional(bool(), false, false, { when: authIs("ecs_ram_role") }),
    metadataEndpoint: optional(custom(urlOk, { key: "endpoint" }), "", undefined, { when: authIs("ecs_ram_role", "credentials_file", "default") }),
    oidcProviderArn: optional(text({ pattern: /^acs:ram::\d+:oidc-provider\/\S+$/, why: { key: "oidc-provider-arn" } }), "", undefined, {
      when: authIs("oidc_role_arn"),
    }),
    oidcTokenFile: optional(text(), "", undefined, { when: authIs("oidc_role_arn") }),
    credentialsFile: optional(text(), "", undefined, { when: authIs("credentials_file") }),
    profile: optional(text({ pattern: /^\S+$/, why: { key: "no-space" } }), "", undefined, { when: authIs("credentials_file") }),
  },
  steps: [unversioned],
  // The OIDC source may take its role from ACK's environment; the role ARN source needs one.
  checks: (c) => [c.auth === "ram_role_arn" && !c.roleArn ? { property: "roleArn", why: { key: "required" } } : undefined],
});
