// Sink node: formats each message (or each record of a batch) as RFC 5424 or RFC 3164, hands the
// frames to the server's shared sender, and settles the message's delivery token once every frame
// was written. A failure of one log's own goes to done(err) so Catch nodes see it; a failure every
// log would hit holds the token instead (lib/syslog/format-triage.ts). Its output passes each
// written message on, the same object: a Debug node there shows what was sent without the deep copy
// Node-RED makes for a second wire beside this node.

import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { claimToken, type Claim } from "../lib/delivery";
import { metricsHub, type OutCounters } from "../lib/metrics/hub";
import { FormatTriage, HeldFailures, failureKey } from "../lib/syslog/format-triage";
import type { SyslogRecord } from "../lib/syslog/formatter-input";
import { isBatchMessage, recordFromMessage, recordsFromMessage, type MessageLike } from "../lib/syslog/from-node-message";
import { outFormatter } from "../lib/syslog/out-format";
import { faultKind, faultStatusKey } from "../lib/syslog/faults";
import { RateLimit } from "../lib/syslog/rate-limit";
import { SenderClosedError, type SendCallback, type SenderState } from "../lib/syslog/sender";
import { sinkStatus } from "../lib/syslog/sink-status";
import type { SyslogTargets } from "../lib/syslog/targets";
import { SLS_SYSLOG_OUT } from "../lib/config";
import { holdInput, startSettings } from "./settings";
import type { SyslogOutNode, SyslogServerNode } from "./types";
import { skipMetricsWhenOff } from "./metrics";
import { catalogue, joined } from "./messages";

/** The wires are all this node reads of its definition itself (settings: lib/config/sls-syslog-out.ts). */
interface OutDef extends NodeDef {
  wires?: string[][];
}

export = function (RED: NodeAPI): void {
  function SyslogOut(this: Node, def: OutDef): void {
    RED.nodes.createNode(this, def);
    skipMetricsWhenOff(this);
    const node = this;
    const t = catalogue(RED, "sls-syslog-out");
    const cfg = startSettings(RED, node, SLS_SYSLOG_OUT, def);
    if (!cfg) {
      holdInput(node);
      return;
    }
    const server = RED.nodes.getNode(cfg.server) as SyslogServerNode;
    // A hostname syslog-ng would drop: one warning per start (lib/syslog/hostname-chars.ts).
    let droppedHostnameWarned = false;
    const onDroppedHostname = (hostname: string): void => {
      if (droppedHostnameWarned) return;
      droppedHostnameWarned = true;
      node.warn(t("sls-syslog-out.warnings.hostname-syslog-ng", { hostname }));
    };
    const { defaults, writer, format } = outFormatter(
      {
        format: cfg.format,
        facility: String(cfg.facility),
        severity: String(cfg.severity),
        hostname: cfg.hostname,
        appName: cfg.appName,
        procId: cfg.procId,
        msgId: cfg.msgId,
        bom: cfg.bom,
        timezone: cfg.timezone,
        hostnameChars: cfg.hostnameChars,
        maxMessageBytes: server.maxMessageBytes,
      },
      { onDroppedHostname },
    );

    // Format failures: a log's own is dead-lettered, one every log would hit is held
    // (lib/syslog/format-triage.ts). Held tokens go back to the source at the next deploy.
    type Done = (err?: Error) => void;
    interface Waiting {
      msg: NodeMessageInFlow;
      done: Done;
      claim: Claim;
      /** The records that formatted fine (a batch's), written when the failures are dead-lettered. */
      good: SyslogRecord[];
      errors: Error[];
    }
    const triage = new FormatTriage();
    const held = new HeldFailures<Waiting>(triage);
    const reported = new Set<string>();
    let heldReason = "";
    // Logs given back or dropped because the sender closed before writing them (one summary per close).
    let closedReturned = 0;
    let closedLost = 0;

    const sender: SyslogTargets = server.register(node);
    const limit = cfg.eps ? new RateLimit({ eps: cfg.eps, burst: cfg.epsBurst }) : null;
    (node as SyslogOutNode).rateLimitStats = () => limit?.stats() ?? null;
    // Its figures for the sls-stats node and the Prometheus endpoint, while it runs.
    const counts: OutCounters = { written: 0, failed: 0, returned: 0 };
    const unlist = metricsHub.addSyslogOut({
      node: node.id,
      name: cfg.name,
      server: cfg.server,
      counters: counts,
      held: () => held.records,
      rateLimit: () => limit?.stats() ?? null,
    });
    let delivered = 0;
    /** Delivered in the last full second (the ticker's count). */
    let rate = 0;
    let lastError = "";
    /** Per target: the fault kind last logged, and how much it had sent then. */
    const logged = new Map<string, { kind: string; sent: number }>();
    let shown = "";
    /** The status shown says rate-limited. */
    let limitedShown = false;
    const showStatus = (): void => {
      const v =
        held.records > 0
          ? {
              fill: "red" as const,
              shape: "ring" as const,
              parts: [{ key: "sls-syslog-out.status.holding", params: { count: held.records, reason: heldReason } }],
            }
          : sinkStatus(sender.stats(), { rate, fault: lastError, rateLimited: limit?.limited ?? false });
      limitedShown = v.parts.some((p) => p.key === "sls-syslog-out.status.rate-limited");
      // One text without parameters goes as its key: the editor translates it.
      const text = v.parts.length === 1 && !v.parts[0].params ? v.parts[0].key : joined(t, v.parts);
      // Status goes to every open editor: only send changes.
      if (shown === v.fill + v.shape + text) return;
      shown = v.fill + v.shape + text;
      node.status({ fill: v.fill, shape: v.shape, text });
    };
    const onTarget = (target: string, state: SenderState, err?: Error): void => {
      if (state === "disconnected" && err) {
        // Short status by the error's kind, as a message key the editor translates (the full text goes to the log).
        const short = faultStatusKey(faultKind(err));
        // Log each distinct problem of each target once, not every retry: again only once that
        // target delivered something in between (a RELP collector answering errors accepts every
        // new session, so connecting is not enough).
        const sent = sender.stats().targets.find((t) => t.target === target)?.sent ?? 0;
        const before = logged.get(target);
        if (!before || before.kind !== short || sent > before.sent)
          node.error(t("sls-syslog-out.errors.target", { target: server.target, error: err.message }));
        logged.set(target, { kind: short, sent });
        lastError = short;
      }
      showStatus();
    };
    sender.on("target", onTarget);
    const ticker = setInterval(() => {
      rate = delivered;
      delivered = 0;
      showStatus();
    }, 1000);
    showStatus();

    // Only pass messages on when something is wired: a send to no wire still costs the runtime.
    const passOn = (def.wires ?? []).some((w) => w.length > 0);

    /**
     * The sender's callback for a message's frames (a callback, not a promise: one reaction less per
     * message): settles the claim once they were written; a sender that closed first returns the token.
     */
    const afterWrite =
      (m: NodeMessageInFlow, count: number, claim: Claim | null, send: (msg: NodeMessageInFlow) => void, done: Done, failure?: Error): SendCallback =>
      (err) => {
        if (!err) {
          // The status's problem is over once something got through.
          lastError = "";
          delivered += count;
          counts.written += count;
          claim?.settle(failure);
          if (passOn && !failure) send(m);
          done(failure);
          return;
        }
        // Shut down before the write (redeploy while the SIEM is away): give the token back so
        // the source reads those logs again; the checkpoint never passes them. Counted for one
        // summary warning at close instead of an error per message.
        if (err instanceof SenderClosedError) {
          if (claim) {
            claim.release();
            closedReturned += count;
            counts.returned += count;
          } else {
            closedLost += count;
            counts.failed += count;
          }
          done();
          return;
        }
        counts.failed += count;
        claim?.settle(err);
        done(err);
      };
    const failureOf = (errors: Error[], count: number): Error =>
      errors.length === 1 && count === 1
        ? errors[0]
        : new Error(t("sls-syslog-out.errors.records", { failed: errors.length, count, error: errors[0].message }));
    /** Reports a failure of the logs' own: what formatted fine is written, the token settles as failed. */
    const deadLetter = (w: Omit<Waiting, "claim"> & { claim: Claim | null }, count: number): void => {
      const failure = failureOf(w.errors, count);
      counts.failed += count - w.good.length;
      if (w.good.length === 0) {
        w.claim?.settle(failure);
        w.done(failure);
        return;
      }
      const cb = afterWrite(w.msg, w.good.length, w.claim, () => undefined, w.done, failure);
      try {
        sender.sendManyWith(writer, w.good, cb);
      } catch (err) {
        cb(err as Error);
      }
    };
    const proven = (keys: string[] | undefined): void => {
      if (!keys) return;
      for (const h of held.takeProven()) deadLetter(h.item, h.count);
      showStatus();
    };
    const failed = (msg: NodeMessageInFlow, done: Done, claim: Claim | null, good: SyslogRecord[], errors: Error[], keys: string[], count: number): void => {
      // Without a token nothing can be held (nothing stops the source): report the message.
      if (!claim || keys.every((k) => triage.isOwn(k))) {
        deadLetter({ msg, done, claim, good, errors }, count);
        return;
      }
      held.add(keys, count, { msg, done, claim, good, errors });
      heldReason = errors[0].message.length > 60 ? errors[0].message.slice(0, 57) + "..." : errors[0].message;
      for (let i = 0; i < keys.length; i++) {
        if (reported.has(keys[i]) || triage.isOwn(keys[i])) continue;
        reported.add(keys[i]);
        node.error(t("sls-syslog-out.errors.held", { error: errors[i].message }), msg);
      }
      showStatus();
    };
    /** A batch the sender refused to format: which records fail, and why (the rest are written if dead-lettered). */
    const batchFailed = (m: NodeMessageInFlow, done: Done, claim: Claim | null, records: SyslogRecord[]): void => {
      const good: SyslogRecord[] = [];
      const errors: Error[] = [];
      const keys: string[] = [];
      let p: string[] | undefined;
      for (const rec of records) {
        try {
          format(rec);
        } catch (err) {
          errors.push(err as Error);
          keys.push(failureKey(err, rec));
          continue;
        }
        good.push(rec);
        p = triage.good(rec) ?? p;
      }
      failed(m, done, claim, good, errors, keys, records.length);
      proven(p);
    };

    node.on("input", (msg: NodeMessageInFlow, send: (msg: NodeMessageInFlow) => void, done: Done) => {
      // Over the EPS cap the message waits here, in order, before anything else; its token stays
      // unsettled meanwhile, so the source's window fills and it stops pulling.
      const mm = msg as NodeMessageInFlow & MessageLike;
      const events = Array.isArray(mm.payload) ? mm.payload.length : Array.isArray(mm.syslog) ? mm.syslog.length : 1;
      const wait = limit?.take(events);
      if (!wait) return input(msg, send, done);
      if (!limitedShown) showStatus();
      void wait.then(() => input(msg, send, done));
    });

    function input(msg: NodeMessageInFlow, send: (msg: NodeMessageInFlow) => void, done: Done): void {
      const m = msg as NodeMessageInFlow & MessageLike;
      const claim = claimToken((m.sls as { token?: unknown } | null | undefined)?.token);
      // Formatted straight into the sender's buffers; a record that cannot be formatted throws
      // before anything of this message is queued.
      if (!isBatchMessage(m)) {
        // per-log: no arrays
        let rec: SyslogRecord | undefined;
        try {
          rec = recordFromMessage(m, defaults);
          sender.sendWith(writer, rec, afterWrite(msg, 1, claim, send, done));
        } catch (err) {
          failed(msg, done, claim, [], [err as Error], [failureKey(err, rec)], 1);
          return;
        }
        proven(triage.good(rec));
        return;
      }
      let records: SyslogRecord[];
      try {
        records = recordsFromMessage(m, defaults);
      } catch (err) {
        failed(msg, done, claim, [], [err as Error], [failureKey(err, undefined)], 1);
        return;
      }
      try {
        sender.sendManyWith(writer, records, afterWrite(msg, records.length, claim, send, done));
      } catch {
        batchFailed(msg, done, claim, records);
        return;
      }
      if (records.length === 0) return;
      if (!triage.watching) triage.good(records[records.length - 1]);
      else {
        let p: string[] | undefined;
        for (const rec of records) p = triage.good(rec) ?? p;
        proven(p);
      }
    }

    /** One warning at close: what went back to the source, what was lost. */
    const closeSummary = (returnedHeld: number): string => {
      const heldText = t("sls-syslog-out.warnings.closed-held", { count: returnedHeld });
      const queuedText = t("sls-syslog-out.warnings.closed-queued", { count: closedReturned, target: server.target });
      const what =
        returnedHeld > 0 && closedReturned > 0
          ? t("sls-syslog-out.warnings.closed-both", { held: heldText, queued: queuedText })
          : returnedHeld > 0
            ? heldText
            : queuedText;
      if (returnedHeld + closedReturned === 0) return t("sls-syslog-out.warnings.closed-lost-only", { count: closedLost });
      const text = t("sls-syslog-out.warnings.closed", { what, count: closedReturned + returnedHeld });
      return closedLost > 0 ? t("sls-syslog-out.warnings.closed-lost", { text, count: closedLost }) : text;
    };

    /** Gives every held token back: the source reads those logs again (after a fix, they go out). */
    const releaseHeld = (): number => {
      let n = 0;
      for (const h of held.takeAll()) {
        h.item.claim.release();
        n += h.count;
      }
      counts.returned += n;
      reported.clear();
      return n;
    };
    const onStarted = (): void => {
      triage.forgetEvidence();
      if (held.size > 0) releaseHeld();
      showStatus();
    };
    RED.events.on("flows:started", onStarted);

    node.on("close", (done: () => void) => {
      clearInterval(ticker);
      unlist();
      RED.events.removeListener("flows:started", onStarted);
      sender.off("target", onTarget);
      // What waits for the cap goes on to the closing sender, which gives it back to the source.
      limit?.releaseAll();
      const returnedHeld = releaseHeld();
      node.status({});
      void server
        .deregister(node)
        .then(() => new Promise((r) => setImmediate(r)))
        .then(() => {
          if (closedReturned + closedLost + returnedHeld > 0) node.warn(closeSummary(returnedHeld));
          done();
        });
    });
  }

  RED.nodes.registerType("sls-syslog-out", SyslogOut);
};
