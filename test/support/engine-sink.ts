// A delivery callback for consumer-group engine tests: one token per log, settled at once through
// claimToken like a sink node would (or held, when `hold`: a SIEM outage).
import { claimToken } from "../../lib/delivery";
import type { Batch, DeliveryContext } from "../../lib/sls/shard-reader";

export function engineSink(opts: { hold?: boolean } = {}): { seqs: number[]; held: string[]; deliver: (b: Batch, ctx: DeliveryContext) => Promise<void> } {
  const seqs: number[] = [];
  const held: string[] = [];
  const deliver = async (b: Batch, ctx: DeliveryContext): Promise<void> => {
    for (let gi = 0; gi < b.groups.length; gi++) {
      for (const rec of b.groups.at(gi)!.records) {
        if (ctx.stopped) return;
        await ctx.waitForRoom();
        if (ctx.stopped) return;
        const token = ctx.issue(1, gi);
        seqs.push(Number(rec.seq));
        if (token === null) continue;
        if (opts.hold) held.push(token);
        else queueMicrotask(() => claimToken(token)?.settle());
      }
    }
  };
  return { seqs, held, deliver };
}
