// Signed GETs over node:http(s) with a keep-alive agent, for PullLogs: the SDK's generic execute()
// cost about a millisecond of CPU per request (request model, gateway hooks, stream wrappers, a
// native LZ4 call on the thread pool), as much as decoding a small pull. Same wire behaviour as the
// SDK (docs/sls-protocol.md, "PullLogs"): V1 signature, STS token, LZ4 or deflate bodies, the
// connect and read timeouts, SLS JSON errors turned into SlsError with code, status and request id.

import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";
import { hostName } from "./cname-gateway";
import { SlsError, type SlsErrorContext } from "./errors";
import { LZ4_SCRATCH, Lz4Error, lz4DecompressAfterScratch } from "./lz4";
import { v1Authorization } from "./request-signer";

/**
 * Most bytes of a PullLogs reply, received and decompressed (x-log-bodyrawsize): far above a pull
 * this client asks for (about 1 MB, at most 1000 log groups of at most a few MB), low enough that
 * a broken or hostile endpoint cannot make it allocate gigabytes. Beyond it: SlsError ReplyTooLarge
 * (SlsClient.pullLogs then asks for half as many log groups).
 */
export const MAX_PULL_REPLY_BYTES = 64 * 1024 * 1024;
/** Most bytes of an error reply kept (SLS sends a small JSON object; the rest is discarded). */
export const MAX_ERROR_REPLY_BYTES = 64 * 1024;

export interface HttpTransportOptions {
  protocol: "http" | "https";
  connectTimeoutMs: number;
  /** Longest silence on the connection while waiting for the reply. */
  readTimeoutMs: number;
  userAgent: string;
}

export interface SignedGet {
  /** `host[:port]` dialled and sent as Host (`<project>.<endpoint>`, or the endpoint in CNAME mode). */
  host: string;
  path: string;
  query: Readonly<Record<string, string>>;
  /** Extra headers, names lower-case (accept, accept-encoding). */
  headers: Readonly<Record<string, string>>;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  /** Attached to every error. */
  context: SlsErrorContext;
}

export interface GetReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, decompressed per x-log-compresstype and checked against x-log-bodyrawsize. */
  body: Buffer;
  /** The body is a decompression's output, referenced nowhere else (see scanLogGroupList's `owned`). */
  ownBody: boolean;
}

export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(private readonly o: HttpTransportOptions) {
    this.agent = o.protocol === "https" ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.request = o.protocol === "https" ? https.request : http.request;
  }

  /** Closes idle connections; a request still running finishes (its connection then lingers, unreferenced, until the server closes it). */
  close(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
  }

  get(r: SignedGet): Promise<GetReply> {
    const c = r.credentials;
    const headers: Record<string, string> = {
      ...r.headers,
      host: r.host,
      "user-agent": this.o.userAgent,
      date: new Date().toUTCString(),
      "x-log-apiversion": "0.6.0",
      "x-log-bodyrawsize": "0",
      "x-log-signaturemethod": "hmac-sha1",
    };
    if (c.securityToken) headers["x-acs-security-token"] = c.securityToken;
    headers.authorization = v1Authorization({ method: "GET", path: r.path, query: r.query, headers }, c.accessKeyId, c.accessKeySecret);
    let path = r.path;
    let sep = "?";
    for (const k of Object.keys(r.query)) {
      path += `${sep}${encodeURIComponent(k)}=${encodeURIComponent(r.query[k])}`;
      sep = "&";
    }
    const { name, port } = splitHost(r.host, this.o.protocol === "https" ? 443 : 80);
    const ctx = r.context;
    return new Promise<GetReply>((resolve, reject) => {
      let connectTimer: NodeJS.Timeout | undefined;
      const req = this.request({ host: name, port, method: "GET", path, headers, agent: this.agent });
      req.on("socket", (socket) => {
        if (!socket.connecting) return;
        const ms = this.o.connectTimeoutMs;
        connectTimer = setTimeout(() => req.destroy(new SlsError("ConnectTimeout", `no connection within ${ms} ms`, { context: ctx })), ms);
        socket.once("connect", () => clearTimeout(connectTimer));
      });
      const readMs = this.o.readTimeoutMs;
      req.setTimeout(readMs, () => req.destroy(new SlsError("RequestTimeout", `no reply within ${readMs} ms`, { context: ctx })));
      req.on("error", (e) => {
        clearTimeout(connectTimer);
        reject(e);
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        let refused: SlsError | undefined;
        res.on("data", (chunk: Buffer) => {
          if (!ok) {
            // Only the start of an error reply is kept (it is a small JSON object).
            if (size < MAX_ERROR_REPLY_BYTES) {
              chunks.push(chunk.subarray(0, MAX_ERROR_REPLY_BYTES - size));
              size += Math.min(chunk.length, MAX_ERROR_REPLY_BYTES - size);
            }
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
          if (size > MAX_PULL_REPLY_BYTES && !refused) {
            refused = tooLarge(`the reply body exceeds ${MAX_PULL_REPLY_BYTES} bytes`, ctx);
            chunks.length = 0;
            req.destroy(refused);
          }
        });
        res.on("error", reject);
        res.on("close", () => {
          if (!res.complete) reject(refused ?? new SlsError("ECONNRESET", "the connection closed before the reply was complete", { context: ctx }));
        });
        res.on("end", () => {
          try {
            resolve(reply(res, chunks, size, ctx));
          } catch (e) {
            reject(e);
          }
        });
      });
      req.end();
    });
  }
}

function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: http.IncomingMessage, chunks: Buffer[], size: number, ctx: SlsErrorContext): GetReply {
  const status = res.statusCode ?? 0;
  const h = res.headers;
  const requestId = header(h, "x-log-requestid");
  if (status < 200 || status >= 300) throw errorReply(status, Buffer.concat(chunks, size), requestId, ctx);
  const type = header(h, "x-log-compresstype");
  const rawSize = Number(header(h, "x-log-bodyrawsize") ?? NaN);
  const bad = (why: string): SlsError => new SlsError("BadResponse", why, { status, requestId, context: ctx, retryable: true });
  if (!type) return { status, headers: h, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), ownBody: false };
  if (rawSize === 0) return { status, headers: h, body: Buffer.alloc(0), ownBody: false };
  if (!Number.isSafeInteger(rawSize) || rawSize < 0) throw bad(`x-log-bodyrawsize "${header(h, "x-log-bodyrawsize")}" is not a size`);
  if (rawSize > MAX_PULL_REPLY_BYTES) throw tooLarge(`x-log-bodyrawsize ${rawSize} exceeds ${MAX_PULL_REPLY_BYTES} bytes`, ctx, requestId);
  let body: Buffer;
  if (type === "lz4") {
    // The compressed bytes go after LZ4_SCRATCH spare bytes, which the native decoder needs.
    const framed = lz4Input(LZ4_SCRATCH + size);
    let at = LZ4_SCRATCH;
    for (const c of chunks) at += c.copy(framed, at);
    try {
      body = lz4DecompressAfterScratch(framed, rawSize);
    } catch (e) {
      if (e instanceof Lz4Error) throw bad(`LZ4 body: ${e.message}`);
      throw e;
    }
  } else if (type === "deflate" || type === "gzip") {
    try {
      // Never more than the announced size (itself capped): a deflate bomb stops there.
      body = zlib.inflateSync(Buffer.concat(chunks, size), { maxOutputLength: Math.max(1, rawSize) });
    } catch (e) {
      throw bad(`${type} body: ${(e as Error).message}`);
    }
    if (body.length !== rawSize) throw bad(`${type} body is ${body.length} bytes, x-log-bodyrawsize says ${rawSize}`);
  } else throw bad(`unsupported x-log-compresstype ${type}`);
  return { status, headers: h, body, ownBody: true };
}

/** A reply over MAX_PULL_REPLY_BYTES: not retryable as is (SlsClient.pullLogs asks for fewer log groups). */
function tooLarge(why: string, ctx: SlsErrorContext, requestId?: string): SlsError {
  return new SlsError("ReplyTooLarge", why, { requestId, context: ctx, retryable: false });
}

/** Largest LZ4 input kept for reuse (a 1 MB pull compresses to a few hundred KB). */
const REUSE_MAX = 4 << 20;
let reusable = Buffer.allocUnsafe(0);

/**
 * A buffer of n bytes for an LZ4 reply's compressed bytes. Decompression is synchronous and its
 * output a new buffer, so one buffer serves every reply: each new off-heap buffer adds to the
 * external memory that makes V8 run full garbage collections.
 */
function lz4Input(n: number): Buffer {
  if (n > REUSE_MAX) return Buffer.allocUnsafe(n);
  if (reusable.length < n) reusable = Buffer.allocUnsafe(Math.min(REUSE_MAX, Math.max(n, 2 * reusable.length)));
  return reusable.subarray(0, n);
}

/** An SLS error reply (JSON errorCode/errorMessage) as an SlsError. */
function errorReply(status: number, body: Buffer, requestId: string | undefined, ctx: SlsErrorContext): SlsError {
  let code = `HTTP${status}`;
  let message = "the server's reply is not SLS JSON (proxy or wrong endpoint?)";
  try {
    const j = JSON.parse(body.toString("utf8")) as { errorCode?: unknown; errorMessage?: unknown };
    if (typeof j.errorCode === "string" && j.errorCode) code = j.errorCode;
    if (typeof j.errorMessage === "string") message = j.errorMessage;
  } catch {
    // not JSON: keep the generic text
  }
  return new SlsError(code, message, { status, requestId, context: ctx });
}

/** `host[:port]` / `[v6]:port` → name to dial and port. */
function splitHost(host: string, defaultPort: number): { name: string; port: number } {
  const name = hostName(host);
  const rest = host.startsWith("[") ? host.slice(host.indexOf("]") + 1) : host.slice(name.length);
  return { name, port: rest.startsWith(":") ? Number(rest.slice(1)) : defaultPort };
}
