// The SLS API subset (docs/sls-protocol.md): maps a parsed request onto the store. Routing and the
// action names (used by fault rules) live here; HTTP plumbing and auth live in server.ts.

import type { IncomingHttpHeaders } from "node:http";
import { encodeLogGroupList } from "../lib/sls/log-group-codec";
import { compress, negotiate } from "./compression";
import { decodeCursor } from "./cursor";
import { lz4Concat } from "./lz4-concat";
import { lz4Of } from "./shard";
import { errors } from "./errors";
import type { Logstore, LogstoreSettings, PutTarget } from "./logstore";
import { SplProgram, applySpl } from "./spl";
import type { Store } from "./store";

export interface ApiRequest {
  method: string;
  segments: string[];
  query: Map<string, string>;
  headers: IncomingHttpHeaders;
  /** Decompressed body. */
  body: Buffer;
  /** Project selected by Host (or the default project); undefined for project-less calls. */
  project: string | undefined;
  clientIp: string;
}

export interface ApiResponse {
  status?: number;
  json?: unknown;
  body?: Buffer;
  headers?: Record<string, string>;
}

export interface ApiContext {
  store: Store;
  /** Upper bound of raw bytes in one PullLogs answer (at least one group is always returned). */
  maxPullBytes: number;
  /** Compiled SPL statements by text (consumers send the same one on every pull). */
  spl?: Map<string, SplProgram>;
}

function splProgram(ctx: ApiContext, text: string): SplProgram {
  const cache = (ctx.spl ??= new Map());
  let p = cache.get(text);
  if (!p) {
    p = SplProgram.compile(text);
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    cache.set(text, p);
  }
  return p;
}

export interface Route {
  action: string;
  /** False only for calls that work without a project in Host (CreateProject, ListProject). */
  needsProject: boolean;
  run(ctx: ApiContext, req: ApiRequest): ApiResponse;
}

const EMPTY = Buffer.alloc(0);

function json(req: ApiRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const v: unknown = JSON.parse(req.body.toString("utf8"));
    if (v && typeof v === "object") return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw errors.postBodyInvalid("the request body is not valid JSON");
}

function intParam(v: unknown, name: string, min: number, max: number, dflt?: number): number {
  if (v === undefined || v === null || v === "") {
    if (dflt !== undefined) return dflt;
    throw errors.parameterInvalid(`${name} is required`);
  }
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw errors.parameterInvalid(`${name} must be an integer in ${min}..${max}`);
  return n;
}

function boolParam(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  throw errors.parameterInvalid(`${name} must be a boolean`);
}

function logstoreOf(ctx: ApiContext, req: ApiRequest): Logstore {
  return ctx.store.project(req.project!).logstore(req.segments[1]);
}

function settingsFrom(b: Record<string, unknown>): Partial<LogstoreSettings> {
  const s: Partial<LogstoreSettings> = {};
  if (b.ttl !== undefined) s.ttl = intParam(b.ttl, "ttl", 1, 3650);
  if (b.hot_ttl !== undefined) s.hot_ttl = intParam(b.hot_ttl, "hot_ttl", 1, 3650);
  if (b.maxSplitShard !== undefined) s.maxSplitShard = intParam(b.maxSplitShard, "maxSplitShard", 1, 256);
  for (const k of ["autoSplit", "appendMeta", "enable_tracking"] as const) {
    const v = boolParam(b[k], k);
    if (v !== undefined) s[k] = v;
  }
  if (typeof b.telemetryType === "string") s.telemetryType = b.telemetryType;
  if (typeof b.mode === "string") s.mode = b.mode;
  return s;
}

// ------------------------------------------------------------------ operations

const createProject: Route = {
  action: "CreateProject",
  needsProject: false,
  run(ctx, req) {
    const b = json(req);
    if (typeof b.projectName !== "string") throw errors.parameterInvalid("projectName is required");
    ctx.store.createProject(b.projectName, typeof b.description === "string" ? b.description : "");
    return {};
  },
};

const getProject: Route = {
  action: "GetProject",
  needsProject: true,
  run(ctx, req) {
    const p = ctx.store.project(req.project!);
    return {
      json: { ...p.info, status: "Normal", region: "local", owner: "", lastModifyTime: String(p.info.createTime), createTime: String(p.info.createTime) },
    };
  },
};

const deleteProject: Route = {
  action: "DeleteProject",
  needsProject: true,
  run(ctx, req) {
    ctx.store.deleteProject(req.project!);
    return {};
  },
};

const listProject: Route = {
  action: "ListProject",
  needsProject: false,
  run(ctx, req) {
    const offset = intParam(req.query.get("offset"), "offset", 0, 1e9, 0);
    const size = intParam(req.query.get("size"), "size", 1, 500, 500);
    const filter = req.query.get("projectName") ?? "";
    const all = [...ctx.store.projects.values()].filter((p) => p.name.includes(filter)).sort((a, b) => (a.name < b.name ? -1 : 1));
    const projects = all.slice(offset, offset + size).map((p) => ({ ...p.info, status: "Normal", region: "local" }));
    return { json: { count: projects.length, total: all.length, projects } };
  },
};

const listLogStores: Route = {
  action: "ListLogStores",
  needsProject: true,
  run(ctx, req) {
    const p = ctx.store.project(req.project!);
    const offset = intParam(req.query.get("offset"), "offset", 0, 1e9, 0);
    const size = intParam(req.query.get("size"), "size", 1, 500, 500);
    const filter = req.query.get("logstoreName") ?? "";
    const names = [...p.logstores.keys()].filter((n) => n.includes(filter)).sort();
    const page = names.slice(offset, offset + size);
    return { json: { count: page.length, total: names.length, logstores: page } };
  },
};

const createLogStore: Route = {
  action: "CreateLogStore",
  needsProject: true,
  run(ctx, req) {
    const b = json(req);
    if (typeof b.logstoreName !== "string") throw errors.parameterInvalid("logstoreName is required");
    const shards = intParam(b.shardCount, "shardCount", 1, 256, 2);
    ctx.store.project(req.project!).createLogstore(b.logstoreName, shards, settingsFrom(b));
    return {};
  },
};

const getLogStore: Route = {
  action: "GetLogStore",
  needsProject: true,
  run: (ctx, req) => ({ json: logstoreOf(ctx, req).describe() }),
};

const updateLogStore: Route = {
  action: "UpdateLogStore",
  needsProject: true,
  run(ctx, req) {
    logstoreOf(ctx, req).update(settingsFrom(json(req)));
    return {};
  },
};

const deleteLogStore: Route = {
  action: "DeleteLogStore",
  needsProject: true,
  run(ctx, req) {
    ctx.store.project(req.project!).deleteLogstore(req.segments[1]);
    return {};
  },
};

const listShards: Route = {
  action: "ListShards",
  needsProject: true,
  run: (ctx, req) => ({
    json: logstoreOf(ctx, req)
      .listShards()
      .map((s) => s.describe()),
  }),
};

function putLogs(target: (req: ApiRequest) => PutTarget): Route {
  return {
    action: "PutLogs",
    needsProject: true,
    run(ctx, req) {
      const ct = String(req.headers["content-type"] ?? "");
      if (!ct.startsWith("application/x-protobuf")) {
        throw errors.invalidContentType(`PutLogs needs Content-Type application/x-protobuf, got ${JSON.stringify(ct)}`);
      }
      logstoreOf(ctx, req).put(target(req), req.body, req.clientIp);
      return {};
    },
  };
}

const putLogsLb = putLogs(() => ({ kind: "lb" }));
const putLogsRoute = putLogs((req) => {
  const key = req.query.get("key");
  return key ? { kind: "hash", key } : { kind: "lb" };
});

const getCursor: Route = {
  action: "GetCursor",
  needsProject: true,
  run(ctx, req) {
    const from = req.query.get("from");
    if (!from) throw errors.parameterInvalid("from is required");
    return { json: { cursor: logstoreOf(ctx, req).cursorFrom(req.segments[3], from) } };
  },
};

const getCursorTime: Route = {
  action: "GetCursorTime",
  needsProject: true,
  run(ctx, req) {
    const cursor = req.query.get("cursor");
    if (!cursor) throw errors.parameterInvalid("cursor is required");
    return { json: { cursor_time: logstoreOf(ctx, req).cursorTime(req.segments[3], cursor) } };
  },
};

const pullLogs: Route = {
  action: "PullLogs",
  needsProject: true,
  run(ctx, req) {
    const cursor = req.query.get("cursor");
    if (!cursor) throw errors.parameterInvalid("cursor is required");
    const count = intParam(req.query.get("count"), "count", 1, 1000, 1000);
    const ls = logstoreOf(ctx, req);
    // A bad statement is refused before anything is read.
    const query = (req.query.get("query") ?? "").trim();
    const program = query ? splProgram(ctx, query) : undefined;
    const r = ls.pull(req.segments[3], cursor, count, req.query.get("end_cursor") || undefined, ctx.maxPullBytes);
    const enc = negotiate(req.headers["accept-encoding"] as string | undefined);
    let rawSize = 0;
    let body: Buffer = EMPTY;
    const n = r.nextSeq - r.fromSeq;
    const headers: Record<string, string> = {
      "content-type": "application/x-protobuf",
      "x-log-cursor": r.shard.cursor(r.nextSeq),
      "x-log-cursor-time": String(r.firstReceiveTime),
      "x-log-end-of-cursor": r.nextSeq >= r.shard.endSeq ? "1" : "0",
    };
    if (n > 0) headers["x-log-read-last-cursor"] = (r.shard.base + BigInt(r.nextSeq - 1)).toString();
    if (program) {
      // SPL: each scanned group is filtered and projected; groups left empty are not returned,
      // the cursor still moves past everything scanned. The sizes before the statement travel
      // in their own headers (PY, Rust SDKs read them).
      const out: Buffer[] = [];
      let linesIn = 0;
      let linesOut = 0;
      let failed = 0;
      for (const g of r.groups) {
        const res = applySpl(program, g.bytes);
        linesIn += res.logsIn;
        linesOut += res.logsOut;
        failed += res.failed;
        if (res.bytes) out.push(res.bytes);
      }
      if (out.length > 0) {
        const raw = encodeLogGroupList(out);
        rawSize = raw.length;
        body = compress(enc, raw);
      }
      Object.assign(headers, {
        "x-log-count": String(out.length),
        "x-log-bodyrawsize": String(rawSize),
        "x-log-rawdatasize": String(r.rawBytes),
        "x-log-rawdatacount": String(n),
        "x-log-rawdatalines": String(linesIn),
        "x-log-resultlines": String(linesOut),
        "x-log-failedlines": String(failed),
      });
      if (enc !== "none") headers["x-log-compresstype"] = enc;
      return { body, headers };
    }
    if (r.groups.length > 0 && enc === "lz4") {
      // Pre-compressed groups: the answer is their LZ4 pieces joined, no compression here.
      const pieces = r.groups.map(lz4Of);
      for (const p of pieces) rawSize += p.rawLength;
      body = lz4Concat(pieces);
    } else if (r.groups.length > 0) {
      const raw = encodeLogGroupList(r.groups.map((g) => g.bytes));
      rawSize = raw.length;
      body = compress(enc, raw);
    }
    headers["x-log-count"] = String(n);
    headers["x-log-bodyrawsize"] = String(rawSize);
    if (enc !== "none") headers["x-log-compresstype"] = enc;
    return { body, headers };
  },
};

const splitOrMerge: Route = {
  action: "SplitShard",
  needsProject: true,
  run(ctx, req) {
    const ls = logstoreOf(ctx, req);
    const action = req.query.get("action");
    if (action === "split") {
      const key = req.query.get("key") || undefined;
      const count = key ? undefined : intParam(req.query.get("shardCount"), "shardCount", 2, 64, 2);
      return { json: ls.split(req.segments[3], { key, count }).map((s) => s.describe()) };
    }
    if (action === "merge") return { json: ls.merge(req.segments[3]).map((s) => s.describe()) };
    throw errors.parameterInvalid(`unknown shard action ${action}`);
  },
};

const listConsumerGroup: Route = {
  action: "ListConsumerGroup",
  needsProject: true,
  run: (ctx, req) => ({ json: [...logstoreOf(ctx, req).groups.values()].map((g) => g.describe()) }),
};

const createConsumerGroup: Route = {
  action: "CreateConsumerGroup",
  needsProject: true,
  run(ctx, req) {
    const b = json(req);
    if (typeof b.consumerGroup !== "string" || !/^[A-Za-z0-9_-]{2,128}$/.test(b.consumerGroup)) {
      throw errors.parameterInvalid("consumerGroup is required: 2..128 characters of letters, digits, _ and -");
    }
    const timeout = intParam(b.timeout, "timeout", 1, 86400);
    logstoreOf(ctx, req).createGroup(b.consumerGroup, timeout, boolParam(b.order, "order") ?? false);
    return {};
  },
};

const updateConsumerGroup: Route = {
  action: "UpdateConsumerGroup",
  needsProject: true,
  run(ctx, req) {
    const b = json(req);
    const timeout = b.timeout === undefined ? undefined : intParam(b.timeout, "timeout", 1, 86400);
    logstoreOf(ctx, req).updateGroup(req.segments[3], { timeout, order: boolParam(b.order, "order") });
    return {};
  },
};

const deleteConsumerGroup: Route = {
  action: "DeleteConsumerGroup",
  needsProject: true,
  run(ctx, req) {
    logstoreOf(ctx, req).deleteGroup(req.segments[3]);
    return {};
  },
};

const getCheckPoint: Route = {
  action: "GetCheckPoint",
  needsProject: true,
  run(ctx, req) {
    const s = req.query.get("shard");
    const shard = s === undefined || s === "" ? undefined : intParam(s, "shard", 0, 1e9);
    return { json: logstoreOf(ctx, req).checkpoints(req.segments[3], shard) };
  },
};

function consumerName(req: ApiRequest, required: boolean): string {
  const c = req.query.get("consumer") ?? "";
  if (required && !c) throw errors.parameterInvalid("consumer is required");
  return c;
}

const heartbeat: Route = {
  action: "ConsumerGroupHeartBeat",
  needsProject: true,
  run(ctx, req) {
    const consumer = consumerName(req, true);
    let held: number[] = [];
    if (req.body.length > 0) {
      let v: unknown;
      try {
        v = JSON.parse(req.body.toString("utf8"));
      } catch {
        throw errors.postBodyInvalid("the heartbeat body must be a JSON array of shard ids");
      }
      if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0)) {
        throw errors.postBodyInvalid("the heartbeat body must be a JSON array of shard ids");
      }
      held = v as number[];
    }
    return { json: logstoreOf(ctx, req).heartbeat(req.segments[3], consumer, held) };
  },
};

const updateCheckPoint: Route = {
  action: "ConsumerGroupUpdateCheckPoint",
  needsProject: true,
  run(ctx, req) {
    const consumer = consumerName(req, false);
    const force = boolParam(req.query.get("forceSuccess"), "forceSuccess") ?? false;
    if (!consumer && !force) throw errors.parameterInvalid("consumer is required unless forceSuccess is true");
    const b = json(req);
    const shard = intParam(b.shard, "shard", 0, 1e9);
    if (typeof b.checkpoint !== "string" || b.checkpoint === "") throw errors.parameterInvalid("checkpoint is required");
    const ls = logstoreOf(ctx, req);
    decodeCursor(ls.shard(shard).base, b.checkpoint); // format check: ParameterInvalid when not a cursor
    ls.commit(req.segments[3], shard, b.checkpoint, consumer, force);
    return {};
  },
};

/** Finds the operation for a request, or undefined (→ 404). */
export function route(method: string, seg: string[], query: Map<string, string>): Route | undefined {
  const n = seg.length;
  if (n === 0) {
    if (method === "POST") return createProject;
    if (method === "GET") return getProject; // server turns it into ListProject without a project
    if (method === "DELETE") return deleteProject;
    return undefined;
  }
  if (seg[0] !== "logstores") return undefined;
  if (n === 1) return method === "GET" ? listLogStores : method === "POST" ? createLogStore : undefined;
  if (n === 2) {
    if (method === "GET") return query.has("type") ? undefined : getLogStore; // ?type=log is GetLogs (index queries): not emulated
    if (method === "PUT") return updateLogStore;
    if (method === "DELETE") return deleteLogStore;
    if (method === "POST") return putLogsRoute; // GO SDK's PutLogs path
    return undefined;
  }
  if (seg[2] === "shards") {
    if (n === 3) return method === "GET" ? listShards : undefined;
    if (n !== 4) return undefined;
    if (seg[3] === "lb") return method === "POST" ? putLogsLb : undefined;
    if (seg[3] === "route") return method === "POST" ? putLogsRoute : undefined;
    if (method === "POST") return query.get("action") === "merge" ? { ...splitOrMerge, action: "MergeShard" } : splitOrMerge;
    if (method !== "GET") return undefined;
    const type = query.get("type");
    if (type === "cursor") return getCursor;
    if (type === "cursor_time") return getCursorTime;
    if (type === "log" || type === "logs") return pullLogs;
    return undefined;
  }
  if (seg[2] === "consumergroups") {
    if (n === 3) return method === "GET" ? listConsumerGroup : method === "POST" ? createConsumerGroup : undefined;
    if (n !== 4) return undefined;
    if (method === "PUT") return updateConsumerGroup;
    if (method === "DELETE") return deleteConsumerGroup;
    if (method === "GET") return getCheckPoint;
    if (method === "POST") {
      const type = query.get("type");
      if (type === "heartbeat") return heartbeat;
      if (type === "checkpoint") return updateCheckPoint;
    }
    return undefined;
  }
  return undefined;
}

export { listProject };
