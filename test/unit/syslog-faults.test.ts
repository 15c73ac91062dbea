import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { FAULT_KINDS, faultKind, faultStatusKey } from "../../lib/syslog/faults";

const err = (code?: string, message = "some English text that must not matter"): Error => Object.assign(new Error(message), code ? { code } : {});

test("faults are classified by error code, never by message text", () => {
  const cases: Array<[string | undefined, string]> = [
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "certificate"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "certificate"],
    ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "certificate"],
    ["ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "certificate"],
    ["ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "certificate"],
    ["ETLSFILE", "tls-file"],
    ["ECONNREFUSED", "refused"],
    ["ENOTFOUND", "host-not-found"],
    ["EAI_AGAIN", "host-not-found"],
    ["ETIMEDOUT", "timeout"],
    ["ERELPREFUSED", "collector-error"],
    ["ERELPPROTO", "protocol"],
    ["ECONNRESET", "disconnected"],
    ["EPEERCLOSED", "disconnected"],
    [undefined, "disconnected"],
  ];
  for (const [code, kind] of cases) assert.equal(faultKind(err(code)), kind, String(code));
  assert.equal(faultKind(err(undefined, "certificate rejected: unknown ca")), "disconnected", "the text is not read");
});

test("every fault kind has its status text in the message catalogue", () => {
  const cat = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "nodes", "locales", "en-US", "sls-syslog-out.json"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const k of FAULT_KINDS) {
    const key = faultStatusKey(k);
    const text = key.split(".").reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], cat);
    assert.equal(typeof text, "string", `${key} missing`);
  }
});
