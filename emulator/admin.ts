// Admin endpoints under `/_emulator/` (a path SLS never uses): health, fault rules, state, and a
// JSON log writer for tools that have no SLS client at hand. Unauthenticated: loopback test tool.

import type { ApiResponse } from "./api";
import { errors } from "./errors";
import type { FaultRule, Faults } from "./faults";
import { encodeLogGroup } from "../lib/sls/log-group-codec";
import type { Store } from "./store";

export interface AdminContext {
  store: Store;
  faults: Faults;
  defaultProject: string;
}

function parseJson(body: Buffer): unknown {
  try {
    return body.length ? JSON.parse(body.toString("utf8")) : {};
  } catch {
    throw errors.postBodyInvalid("admin request body is not JSON");
  }
}

/** JSON log writer body: `{logs: [{field: value, __time__?: unix_s}], topic?, source?, tags?: {k: v}}`. */
interface JsonLogs {
  logs: Array<Record<string, unknown>>;
  topic?: string;
  source?: string;
  tags?: Record<string, string>;
}

export async function adminHandler(ctx: AdminContext, method: string, path: string[], query: URLSearchParams, body: Buffer): Promise<ApiResponse | undefined> {
  const [what, id] = path;
  if (what === "health" && method === "GET") return { json: { ok: true, project: ctx.defaultProject } };
  if (what === "faults") {
    if (method === "GET") return { json: ctx.faults.list() };
    if (method === "POST") return { json: { id: ctx.faults.add(parseJson(body) as FaultRule) } };
    if (method === "DELETE" && id === undefined) {
      ctx.faults.clear();
      return { json: {} };
    }
    if (method === "DELETE") return { json: { removed: ctx.faults.remove(Number(id)) } };
  }
  if (what === "state" && method === "GET") {
    const projects = [...ctx.store.projects.values()].map((p) => ({
      project: p.name,
      logstores: [...p.logstores.values()].map((ls) => ({
        logstore: ls.name,
        shards: ls.listShards().map((s) => ({ ...s.describe(), groups: s.groupCount, bytes: s.bytes, begin: s.firstSeq, end: s.endSeq })),
        consumerGroups: [...ls.groups.values()].map((g) => ({
          ...g.describe(),
          checkpoints: [...g.checkpoints.values()],
          consumers: g.coordinator.snapshot(),
        })),
      })),
    }));
    return { json: { projects } };
  }
  if (what === "logs" && method === "POST") {
    const project = query.get("project") ?? ctx.defaultProject;
    const logstore = query.get("logstore");
    if (!logstore) throw errors.parameterInvalid("logstore query parameter is required");
    const b = parseJson(body) as JsonLogs;
    if (!Array.isArray(b.logs)) throw errors.parameterInvalid("logs must be an array");
    const now = Math.floor(ctx.store.now() / 1000);
    const group = {
      topic: b.topic,
      source: b.source,
      tags: Object.entries(b.tags ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
      logs: b.logs.map((l) => ({
        time: typeof l.__time__ === "number" ? l.__time__ : now,
        contents: Object.entries(l)
          .filter(([k]) => k !== "__time__")
          .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)] as [string, string]),
      })),
    };
    const key = query.get("hashKey");
    const r = ctx.store
      .project(project)
      .logstore(logstore)
      .put(key ? { kind: "hash", key } : { kind: "lb" }, encodeLogGroup(group));
    return { json: { shard: r.shard.id, seq: r.seq } };
  }
  return undefined;
}
