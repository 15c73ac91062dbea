// Turns a PullLogs batch into the messages sls-consumer emits (docs/nodes.md): one per
// log, or one per batch with parallel `records`. Each message carries a delivery token; messages
// are handed out in chunks and never past a full window.

import { randomBytes } from "node:crypto";
import { plainConstructor } from "../plain-object";
import { EmitTurns } from "./emit-turns";
import { PulledGroup, type RecordGroup } from "./pull-decoder";
import type { Batch, DeliveryContext, Deliver } from "./shard-reader";

export interface SourceMeta {
  project: string;
  logstore: string;
  consumerGroup: string;
}

/** Per-record metadata (msg.sls of a per-log message, element of msg.sls.records in batch mode). */
export interface RecordMeta {
  cursor: string;
  /** Position of the log in its log group: with the cursor, a unique key of the log. */
  index: number;
  time: number;
  timeNs: number;
  topic: string;
  source: string;
  tags: Readonly<Record<string, string>>;
}

export interface OutMessage {
  _msgid: string;
  payload: Record<string, string | number> | Array<Record<string, string | number>>;
  sls: Record<string, unknown>;
}

type Tags = Readonly<Record<string, string>>;

/** msg.sls of a per-log message. */
export interface LogSls extends RecordMeta, SourceMeta {
  shard: number;
  token: string | null;
}

// Built by `new`, not as literals: they live as long as their message, see lib/plain-object.ts.
const LogMessage = plainConstructor(function (this: OutMessage, id: string, payload: Record<string, string | number>, sls: LogSls) {
  this._msgid = id;
  this.payload = payload;
  this.sls = sls as unknown as Record<string, unknown>;
});
const LogMeta = plainConstructor(function (
  this: LogSls,
  project: string,
  logstore: string,
  consumerGroup: string,
  shard: number,
  cursor: string,
  index: number,
  time: number,
  timeNs: number,
  topic: string,
  source: string,
  tags: Tags,
  token: string | null,
) {
  this.project = project;
  this.logstore = logstore;
  this.consumerGroup = consumerGroup;
  this.shard = shard;
  recordMeta.call(this, cursor, index, time, timeNs, topic, source, tags);
  this.token = token;
});
const BatchRecordMeta = plainConstructor(recordMeta);

/** Sets the RecordMeta fields on `this`, in msg.sls's order. */
function recordMeta(this: RecordMeta, cursor: string, index: number, time: number, timeNs: number, topic: string, source: string, tags: Tags): void {
  this.cursor = cursor;
  this.index = index;
  this.time = time;
  this.timeNs = timeNs;
  this.topic = topic;
  this.source = source;
  this.tags = tags;
}

export interface EmitOptions {
  meta: SourceMeta;
  mode: "log" | "batch";
  /** Most records in one batch message (and in one chunk of per-log messages, sent per turn). */
  maxChunk: number;
  send(msgs: OutMessage[]): void;
  newId(): string;
  /** Shared by the shard readers of one consumer, so they emit in turn; else each just yields a turn. */
  turns?: EmitTurns;
}

/**
 * Per-log messages handed to the runtime per event-loop turn. Small chunks are delivered (and become
 * garbage) before the next ones are built. Not 100 either: a chunk is built in one burst into the
 * same few young-generation pages, and V8 promotes a page that is mostly live at a scavenge whole
 * (page promotion). Figures: docs/performance.md, "Figures behind the code's constants".
 */
export const PER_LOG_CHUNK = 50;

/**
 * Most records in one batch message. Each node handles a message in one go, and every record of it
 * lives until the last one is written: with too many, that lasts long enough for the
 * young-generation GC to copy and promote the records. Figures: docs/performance.md, "Figures behind the code's constants".
 */
export const BATCH_CHUNK = 200;

/** Where a consumer's messages go: one per log or one per batch of logs, handed to `send`. */
export interface MessageOutput {
  mode: "log" | "batch";
  /** Called with each chunk of messages, in order. */
  send(msgs: OutMessage[]): void;
}

/**
 * The delivery callback of one consumer that emits its batches as messages (emitBatch): its shard
 * readers take turns, and message ids are unique within the process.
 */
export function messageDelivery(meta: SourceMeta, out: MessageOutput, maxInFlight = Infinity): Deliver {
  const prefix = `${randomBytes(8).toString("hex")}.`;
  let seq = 0;
  const o: EmitOptions = {
    meta,
    mode: out.mode,
    maxChunk: Math.min(maxInFlight, out.mode === "log" ? PER_LOG_CHUNK : BATCH_CHUNK),
    send: out.send,
    newId: () => prefix + (seq++).toString(36),
    turns: new EmitTurns(),
  };
  return (batch, ctx) => emitBatch(batch, ctx, o);
}

/**
 * The group's tags as one frozen object shared by all its messages (msg.sls.tags is read-only):
 * a copy per log cost about a microsecond each on the per-log path.
 */
function tagObject(g: RecordGroup): Readonly<Record<string, string>> {
  const o: Record<string, string> = {};
  for (const [k, v] of g.tags) o[k] = v;
  return Object.freeze(o);
}

/** Emits a batch; waits for window room between chunks; stops early when the reader stops. */
export async function emitBatch(batch: Batch, ctx: DeliveryContext, o: EmitOptions): Promise<void> {
  const { project, logstore, consumerGroup } = o.meta;
  const shard = batch.shard;
  const chunk = Math.max(1, o.maxChunk);
  let out: OutMessage[] = [];
  // batch mode accumulators
  let payloads: Array<Record<string, string | number>> = [];
  let records: RecordMeta[] = [];
  let chunkCursor = batch.cursor;
  let chunkFirstGroup = 0;
  let gi = 0;

  const flushBatch = (): void => {
    if (payloads.length === 0) return;
    const token = ctx.issue(payloads.length, chunkFirstGroup, gi);
    o.send([{ _msgid: o.newId(), payload: payloads, sls: { project, logstore, consumerGroup, shard, cursor: chunkCursor, token, records } }]);
    payloads = [];
    records = [];
  };
  const flushLogs = (): void => {
    if (out.length === 0) return;
    o.send(out);
    out = [];
  };
  /** Waits while the window is full; false once the reader stopped. */
  const whileFull = async (): Promise<boolean> => {
    while (ctx.full) {
      await ctx.waitForRoom();
      if (ctx.stopped) return false;
    }
    return true;
  };
  const room = async (): Promise<boolean> => {
    if (o.mode === "log") flushLogs();
    else flushBatch();
    // Let Node-RED deliver this chunk (it queues one setImmediate per message) before building
    // the next: the messages then die young instead of piling up into costly old-space garbage.
    await (o.turns ? o.turns.next() : new Promise<void>((resolve) => setImmediate(resolve)));
    await ctx.waitForRoom();
    return !ctx.stopped;
  };

  // The group being emitted. Records are built (and held) by the synchronous step() below, and
  // the async loop clears these once a group is done: an async function's suspended frame keeps
  // whatever its registers last held, so a finished group's records (and through their values the
  // group's whole text) would otherwise stay alive while the reader waits for its next turn.
  // That was enough to get them promoted: per-log runs peaked at ~310 MB instead of ~210 MB.
  // A pulled group (pg) is decoded record by record as step() takes them (PulledGroup.nextRecord);
  // other groups (tests, embedders) come as arrays.
  const NO_RECORDS: Array<Record<string, string | number>> = [];
  const NO_TIMES: number[] = [];
  let pg: PulledGroup | undefined;
  let recs = NO_RECORDS;
  let timeNs = NO_TIMES;
  let n = 0;
  let topic = "";
  let source = "";
  let tags: Readonly<Record<string, string>> = {};
  let cursor = batch.cursor;
  let li = 0;

  const dropGroup = (): void => {
    pg?.release();
    pg = undefined;
    recs = NO_RECORDS;
    timeNs = NO_TIMES;
  };

  /** Emits records of the current group until one must wait: for a chunk's turn, or for room. */
  const step = (): "done" | "room" | "full" => {
    for (; li < n; li++) {
      if (o.mode === "log") {
        if (out.length >= chunk) return "room";
      } else if (payloads.length === 0) {
        // A full window wakes every waiting reader at once: each checks again before building a
        // chunk, so the readers of a consumer hold about one window of records, not one chunk each.
        if (ctx.full) return "full";
        chunkCursor = cursor;
        chunkFirstGroup = gi;
      }
      const payload = pg !== undefined ? pg.nextRecord() : recs[li];
      const ns = pg !== undefined ? pg.lastTimeNs : timeNs[li];
      const time = payload.__time__ as number;
      if (o.mode === "log") {
        const token = ctx.issue(1, gi);
        out.push(new LogMessage(o.newId(), payload, new LogMeta(project, logstore, consumerGroup, shard, cursor, li, time, ns, topic, source, tags, token)));
        if (token !== null && ctx.full) {
          li++;
          return "room";
        }
      } else {
        payloads.push(payload);
        records.push(new BatchRecordMeta(cursor, li, time, ns, topic, source, tags));
        if (payloads.length >= chunk) {
          li++;
          return "room";
        }
      }
    }
    return "done";
  };

  for (; gi < batch.groups.length; gi++) {
    const g = batch.groups.at(gi)!;
    cursor = batch.cursorOf?.(gi) ?? batch.cursor;
    // Wait for window room before decoding the group, not after: a reader that waits while holding
    // a decoded group keeps its records alive for a whole window cycle. That is long enough for the
    // young-generation GC to promote them, and with many shards per process many readers wait.
    if (ctx.full && (o.mode === "log" || payloads.length === 0)) {
      if (o.mode === "log") flushLogs();
      if (!(await whileFull())) return;
    }
    // Likewise a full chunk of per-log messages is sent, and the reader's turn awaited, before the
    // next group is decoded rather than at its first record.
    if (o.mode === "log" && out.length >= chunk && !(await room())) return;
    topic = g.topic;
    source = g.source;
    tags = g.tagObject ?? tagObject(g);
    if (g instanceof PulledGroup) {
      pg = g;
      n = g.logCount;
    } else {
      ({ records: recs, timeNs } = g);
      n = recs.length;
      g.release?.();
    }
    li = 0;
    for (let need = step(); need !== "done"; need = step()) {
      // A chunk that ends with the group: let go of the group before waiting for the next turn.
      if (li >= n) dropGroup();
      if (!(await (need === "room" ? room() : whileFull()))) {
        dropGroup();
        return;
      }
    }
    dropGroup();
  }
  gi = batch.groups.length - 1;
  if (o.mode === "log") flushLogs();
  else flushBatch();
}
