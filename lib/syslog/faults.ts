// What went wrong talking to a receiver, as a kind a user can act on, decided from the error's
// `code` (never from its English text). The kind is also the message-catalogue key of the short
// status text (`sls-syslog-out.status.fault.<kind>`) and the label under which faults are counted.

export type FaultKind =
  /** The receiver's certificate failed our checks, or the receiver refused ours. */
  | "certificate"
  /** A CA, certificate or key file could not be read. */
  | "tls-file"
  | "refused"
  | "host-not-found"
  | "timeout"
  /** The RELP collector answered with an error code or refused the session. */
  | "collector-error"
  /** The receiver broke the protocol (not RELP, answers out of order). */
  | "protocol"
  /** Anything else: the connection closed or reset. */
  | "disconnected";

export const FAULT_KINDS: readonly FaultKind[] = [
  "certificate",
  "tls-file",
  "refused",
  "host-not-found",
  "timeout",
  "collector-error",
  "protocol",
  "disconnected",
];

/** Our checks of the receiver's certificate (Node's verification codes). */
const CERT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
]);

export const isCertificateCode = (code: string): boolean => CERT_CODES.has(code);

/** OpenSSL alerts by which the receiver refuses our certificate (or the lack of one). */
const PEER_CERT_ALERT = /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(BAD_CERTIFICATE|CERTIFICATE_\w+|UNKNOWN_CA|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)$/;

const BY_CODE: Record<string, FaultKind> = {
  ECONNREFUSED: "refused",
  ENOTFOUND: "host-not-found",
  EAI_AGAIN: "host-not-found",
  ETIMEDOUT: "timeout",
  ETLSFILE: "tls-file",
  ERELPREFUSED: "collector-error",
  ERELPPROTO: "protocol",
};

export function faultKind(err: Error & { code?: unknown }): FaultKind {
  const code = typeof err.code === "string" ? err.code : "";
  if (!code) return "disconnected";
  if (CERT_CODES.has(code) || PEER_CERT_ALERT.test(code)) return "certificate";
  return BY_CODE[code] ?? "disconnected";
}

/** The message key of a fault's short status text (nodes/locales, `sls-syslog-out.status.fault`). */
export const faultStatusKey = (kind: FaultKind): string => `sls-syslog-out.status.fault.${kind}`;
