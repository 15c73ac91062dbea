// SLS request signature V1 (docs/sls-protocol.md, "V1"), as the Python, Go and Java SDKs send it:
// `Authorization: LOG <AccessKeyId>:<base64 HMAC-SHA1(secret, string to sign)>` where
//
//   string to sign = VERB \n CONTENT-MD5 \n CONTENT-TYPE \n DATE \n CANON_HEADERS CANON_RESOURCE
//
// CANON_HEADERS: every x-log-* / x-acs-* header as `name:value\n`, sorted by name;
// CANON_RESOURCE: the path, then `?` and the query parameters sorted by name as decoded `k=v`
// joined by `&`. Used for PullLogs, the consumer's hot path; the SDK signs every other call.

import { createHmac } from "node:crypto";

export interface V1Request {
  method: string;
  /** Path without the query. */
  path: string;
  /** Query parameters, decoded. */
  query: Readonly<Record<string, string>>;
  /** Headers as sent, names lower-case. */
  headers: Readonly<Record<string, string>>;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The V1 string to sign of a request. */
export function v1StringToSign(r: V1Request): string {
  const h = r.headers;
  let s = `${r.method}\n${h["content-md5"] ?? ""}\n${h["content-type"] ?? ""}\n${h.date ?? ""}\n`;
  for (const name of Object.keys(h).sort(byName)) {
    if (name.startsWith("x-log-") || name.startsWith("x-acs-")) s += `${name}:${h[name]}\n`;
  }
  s += r.path;
  const names = Object.keys(r.query).sort(byName);
  if (names.length > 0) s += "?" + names.map((k) => `${k}=${r.query[k]}`).join("&");
  return s;
}

/** The Authorization header value of a request signed with HMAC-SHA1 (x-log-signaturemethod: hmac-sha1). */
export function v1Authorization(r: V1Request, accessKeyId: string, accessKeySecret: string): string {
  return `LOG ${accessKeyId}:${createHmac("sha1", accessKeySecret).update(v1StringToSign(r)).digest("base64")}`;
}
