// HTTP plumbing of the emulator: parse the request, read the body, apply faults, verify the
// signature, decompress, dispatch to api.ts, and answer the way SLS answers (x-log-requestid on
// everything, JSON errors).

import { randomBytes, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { hostTarget } from "./addressing";
import { ApiContext, ApiRequest, ApiResponse, listProject, route } from "./api";
import { decompressBody } from "./compression";
import { SlsError, errors } from "./errors";
import type { Faults } from "./faults";
import { Account, verifyRequest } from "./signature";
import type { Store } from "./store";

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ServerOptions {
  store: Store;
  accounts: ReadonlyMap<string, Account>;
  defaultProject: string;
  faults: Faults;
  maxPullBytes?: number;
  /** Host names (besides IPs and localhost) that address the default project. */
  cnames?: string[];
  now?: () => number;
  /** Handles `/_emulator/...`; returns the response or undefined for 404. */
  admin?: (method: string, path: string[], query: URLSearchParams, body: Buffer) => Promise<ApiResponse | undefined>;
  /**
   * Required on every admin request (`Authorization: Bearer <token>`) when set. Without it the
   * admin routes answer only on a loopback bind, and only to a loopback or configured Host.
   */
  adminToken?: string;
}

export interface ParsedQuery {
  list: Array<[string, string | null]>;
  map: Map<string, string>;
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw errors.parameterInvalid(`malformed percent-encoding in ${JSON.stringify(s)}`);
  }
}

export function parseQuery(q: string): ParsedQuery {
  const list: Array<[string, string | null]> = [];
  const map = new Map<string, string>();
  for (const part of q.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const k = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? null : decodeComponent(part.slice(eq + 1));
    list.push([k, v]);
    map.set(k, v ?? "");
  }
  return { list, map };
}

const requestIdPrefix = randomBytes(4).toString("hex").toUpperCase();
let requestCounter = 0;
function newRequestId(): string {
  return requestIdPrefix + (++requestCounter).toString(16).toUpperCase().padStart(16, "0");
}

interface BodyResult {
  body: Buffer;
  tooLarge: boolean;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks, size), tooLarge }));
    req.on("error", reject);
  });
}

export class SlsHttpServer {
  readonly http: http.Server;
  private readonly ctx: ApiContext;
  private readonly now: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: ServerOptions) {
    this.now = opts.now ?? Date.now;
    this.ctx = { store: opts.store, maxPullBytes: opts.maxPullBytes ?? 16 * 1024 * 1024 };
    this.http = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        // Only reached for bugs: still answer in SLS form.
        if (!res.headersSent && !res.destroyed) this.send(res, newRequestId(), errorResponse(errors.internal(String(e))));
      });
    });
    this.http.keepAliveTimeout = 30_000;
  }

  /** The address the server is bound to (after listen). */
  private boundAddress = "";

  async listen(port: number, host = "127.0.0.1"): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => {
        this.http.off("error", reject);
        resolve();
      });
    });
    const a = this.http.address() as AddressInfo;
    this.boundAddress = a.address;
    return a;
  }

  private adminRefusal(req: http.IncomingMessage): SlsError | undefined {
    return adminRefusal(req, { token: this.opts.adminToken, bound: this.boundAddress, cnames: this.opts.cnames ?? [] });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const url = req.url ?? "/";
    const qi = url.indexOf("?");
    const path = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
    const { body: raw, tooLarge } = await readBody(req, MAX_BODY_BYTES);

    if (path === "/_emulator" || path.startsWith("/_emulator/")) {
      const refused = this.adminRefusal(req);
      if (refused) {
        this.send(res, requestId, errorResponse(refused));
        return;
      }
      const r = this.opts.admin
        ? await this.opts
            .admin(req.method ?? "GET", path.split("/").filter(Boolean).slice(1), new URLSearchParams(rawQuery), raw)
            .catch((e: unknown) => errorResponse(e instanceof SlsError ? e : errors.parameterInvalid((e as Error).message)))
        : undefined;
      this.send(res, requestId, r ?? errorResponse(errors.notFound(`no admin endpoint ${path}`)));
      return;
    }

    let response: ApiResponse;
    let dropAfter = false;
    try {
      if (tooLarge) throw errors.postBodyTooLarge(`the body exceeds ${MAX_BODY_BYTES} bytes`);
      const query = parseQuery(rawQuery);
      const segments = path.split("/").filter(Boolean).map(decodeComponent);
      const method = req.method ?? "GET";
      const target = hostTarget(req.headers.host, this.opts.cnames);
      let op = route(method, segments, query.map);
      if (!op) throw errors.notFound(`${method} ${path} is not an API of this emulator`);
      // `GET /` is GetProject, or ListProject on a bare endpoint / with list parameters (GetProject takes none).
      if (op.action === "GetProject" && (target.kind === "endpoint" || query.list.length > 0)) op = listProject;

      const fault = this.opts.faults.decide(op.action);
      if (fault) {
        if (fault.latencyMs > 0) await this.sleep(fault.latencyMs);
        if (fault.drop === "before") {
          req.socket.destroy();
          return;
        }
        dropAfter = fault.drop === "after";
        if (fault.error) throw new SlsError(fault.error.status, fault.error.code, fault.error.message);
      }

      // Clock skew is judged against the wall clock even when the store runs on an injected one.
      verifyRequest({ method, path, query: query.list, headers: req.headers, body: raw }, this.opts.accounts, Date.now());

      let body = raw;
      const ctype = req.headers["x-log-compresstype"];
      if (typeof ctype === "string" && ctype !== "" && raw.length > 0) {
        const rawSize = Number(req.headers["x-log-bodyrawsize"]);
        if (!Number.isInteger(rawSize) || rawSize < 0) throw errors.parameterInvalid("x-log-bodyrawsize is missing or invalid");
        if (rawSize > MAX_BODY_BYTES) throw errors.postBodyTooLarge(`the raw body of ${rawSize} bytes exceeds ${MAX_BODY_BYTES}`);
        body = decompressBody(ctype.toLowerCase(), raw, rawSize);
      }

      const project = target.kind === "project" ? target.project : target.kind === "cname" && op.needsProject ? this.opts.defaultProject : undefined;
      if (op.needsProject) {
        if (!project) throw errors.projectNotExist("(none in Host)");
        this.ctx.store.project(project);
      }
      const apiReq: ApiRequest = {
        method,
        segments,
        query: query.map,
        headers: req.headers,
        body,
        project,
        clientIp: (req.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
      };
      response = op.run(this.ctx, apiReq);
    } catch (e) {
      response = errorResponse(e instanceof SlsError ? e : errors.internal((e as Error).message));
    }
    if (dropAfter) {
      req.socket.destroy();
      return;
    }
    this.send(res, requestId, response);
  }

  private send(res: http.ServerResponse, requestId: string, r: ApiResponse): void {
    let body = r.body;
    const headers: Record<string, string> = {
      server: "AliyunSLS",
      "x-log-requestid": requestId,
      "x-log-time": String(Math.floor(this.now() / 1000)),
      ...r.headers,
    };
    if (r.json !== undefined) {
      body = Buffer.from(JSON.stringify(r.json));
      headers["content-type"] = "application/json";
    }
    body ??= Buffer.alloc(0);
    headers["content-length"] = String(body.length);
    res.writeHead(r.status ?? 200, headers);
    res.end(body);
  }
}

export function errorResponse(e: SlsError): ApiResponse {
  return { status: e.status, json: e.toJSON() };
}

/**
 * Why an admin request is refused, or undefined. The admin routes change what the emulator serves
 * (faults, logs): a web page in a browser on this machine must not reach them. So they take JSON
 * bodies only (a cross-site form can only send urlencoded, multipart or text/plain without a CORS
 * preflight) and a loopback Host only (no DNS rebinding); on an address other machines can reach
 * they are off unless an admin token is set, and with a token every request must carry it.
 */
export function adminRefusal(
  req: Pick<http.IncomingMessage, "method" | "headers">,
  o: { token?: string; bound: string; cnames: readonly string[] },
): SlsError | undefined {
  if (o.token) {
    const given = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
    const a = Buffer.from(given);
    const b = Buffer.from(o.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return errors.unauthorized("the admin routes need Authorization: Bearer <the emulator's admin token>");
  } else {
    if (!isLoopback(o.bound))
      return errors.forbidden(
        `the admin routes are off on ${o.bound}, an address other machines can reach: start the emulator with an admin token (--admin-token)`,
      );
    const name = String(req.headers.host ?? "")
      .trim()
      .toLowerCase()
      .replace(/:\d+$/, "")
      .replace(/^\[|\]$/g, "");
    const local = name === "" || isLoopback(name) || name === "localhost" || o.cnames.includes(name);
    if (!local) return errors.forbidden(`the admin routes answer only to a loopback Host, not ${name}`);
  }
  const method = req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD" && method !== "DELETE" && !/^application\/json\s*(;|$)/i.test(String(req.headers["content-type"] ?? ""))) {
    return errors.unsupportedMediaType("admin requests with a body must be application/json");
  }
  return undefined;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
function isLoopback(address: string): boolean {
  return address === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}
