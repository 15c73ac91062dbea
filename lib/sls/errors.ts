// One error type for everything the SLS client can throw, so callers decide on a single
// `retryable` flag and users see the SLS code, host and shard instead of an SDK stack.

/** Where a failed call was going. Never carries credentials. */
export interface SlsErrorContext {
  host?: string;
  project?: string;
  logstore?: string;
  shard?: number;
  consumerGroup?: string;
  action?: string;
}

export class SlsError extends Error {
  override readonly name = "SlsError";
  /** SLS errorCode (e.g. "ShardReadQuotaExceed"), or a network code ("ECONNRESET"), or "RequestTimeout". */
  readonly code: string;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly requestId: string;
  readonly retryable: boolean;
  readonly context: SlsErrorContext;

  constructor(code: string, message: string, opts: { status?: number; requestId?: string; retryable?: boolean; context?: SlsErrorContext } = {}) {
    const ctx = opts.context ?? {};
    super(`${describe(ctx)}${code}: ${message}${opts.requestId ? ` (request ${opts.requestId})` : ""}`);
    this.code = code;
    this.status = opts.status ?? 0;
    this.requestId = opts.requestId ?? "";
    this.context = ctx;
    this.retryable = opts.retryable ?? isRetryable(code, this.status);
  }
}

function describe(c: SlsErrorContext): string {
  const where: string[] = [];
  if (c.action) where.push(c.action);
  if (c.project || c.logstore) where.push(`${c.project ?? "?"}/${c.logstore ?? "?"}`);
  if (c.shard !== undefined) where.push(`shard ${c.shard}`);
  if (c.host) where.push(`at ${c.host}`);
  return where.length ? `${where.join(" ")}: ` : "";
}

const THROTTLING = new Set([
  "writequotaexceed",
  "shardwritequotaexceed",
  "readquotaexceed",
  "shardreadquotaexceed",
  "serverbusy",
  "internalservererror",
  "requesttimeout",
]);
const NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "ERR_STREAM_PREMATURE_CLOSE",
  "RequestTimeout",
  "ConnectTimeout",
  "ReadTimeout",
  "SocketHangUp",
  "BadResponse",
]);

/** 5xx, throttling and network failures are transient; auth, missing resources and bad requests are not. */
export function isRetryable(code: string, status: number): boolean {
  if (status >= 500 || status === 429) return true;
  if (THROTTLING.has(code.toLowerCase())) return true;
  return status === 0 && NETWORK.has(code);
}

/** Checkpoint updates by a consumer that no longer owns the shard (both server spellings). */
export function isOwnershipError(e: unknown): boolean {
  if (!(e instanceof SlsError)) return false;
  const c = e.code.toLowerCase();
  return c === "consumernotexsit" || c === "consumernotexist" || c === "consumernotmatch" || c === "shardnotexsit" || c === "shardnotexist";
}

export function hasCode(e: unknown, code: string): boolean {
  return e instanceof SlsError && e.code.toLowerCase() === code.toLowerCase();
}

interface SdkErrorShape {
  name?: string;
  code?: string | number;
  message?: string;
  data?: { httpCode?: number; statusCode?: number; requestId?: string };
}

/**
 * Converts whatever the SDK or the transport threw into an SlsError. SDK messages may quote
 * request details; we keep only the server's message text, which never holds our secret.
 */
export function toSlsError(err: unknown, context: SlsErrorContext): SlsError {
  if (err instanceof SlsError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const status = Number(e.data?.statusCode ?? e.data?.httpCode ?? 0) || 0;
  let code = e.code !== undefined && e.code !== null && e.code !== "" ? String(e.code) : "";
  let message = typeof e.message === "string" ? e.message : String(err);
  if (status > 0) {
    // The SDK formats "<code>: <message>"; drop the duplicated code prefix.
    if (code && message.startsWith(`${code}: `)) message = message.slice(code.length + 2);
    if (!code) code = `HTTP${status}`;
  } else if (e.name === "RequestTimeoutError" || /timeout/i.test(e.name ?? "")) {
    code = "RequestTimeout";
  } else if (e.name === "SyntaxError") {
    code = "BadResponse";
    message = "the server's reply is not SLS JSON (proxy or wrong endpoint?)";
  } else if (!code) {
    code = /socket hang up/i.test(message) ? "SocketHangUp" : "NetworkError";
  }
  // The transport appends "<METHOD> <url> failed." to network errors: the context says it better.
  if (status === 0) message = message.replace(/\s*(GET|POST|PUT|DELETE|HEAD) https?:\/\/\S+ failed\.?$/, "");
  const retryable = status === 0 && code === "NetworkError" ? true : undefined;
  return new SlsError(code, message, { status, requestId: e.data?.requestId, context, retryable });
}
