// The EPS cap's token bucket on a simulated clock (mock timers): no test here depends on real time.

import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { RateLimit } from "../../lib/syslog/rate-limit";

function clocked(eps: number, burst?: number): { rl: RateLimit; advance(ms: number): Promise<void> } {
  let t = 0;
  mock.timers.enable({ apis: ["setTimeout"] });
  const rl = new RateLimit({ eps, burst, now: () => t });
  return {
    rl,
    async advance(ms) {
      for (let i = 0; i < ms; i++) {
        t++;
        mock.timers.tick(1);
        await Promise.resolve();
      }
    },
  };
}

test("the burst goes at once, then events wait in order and go at the rate; nothing is dropped", async (t) => {
  t.after(() => mock.timers.reset());
  const { rl, advance } = clocked(100, 5);
  const order: number[] = [];
  for (let i = 0; i < 5; i++) assert.equal(rl.take(1), null, "within the burst: no promise at all");
  assert.equal(rl.limited, false);
  const ps = [5, 6, 7].map((i) => rl.take(1)!.then(() => order.push(i)));
  assert.equal(rl.limited, true);
  assert.equal(rl.stats().waiting, 3);
  await advance(9);
  assert.deepEqual(order, [], "100 EPS: one event per 10 ms");
  await advance(1);
  assert.deepEqual(order, [5]);
  await advance(20);
  await Promise.all(ps);
  assert.deepEqual(order, [5, 6, 7]);
  assert.equal(rl.limited, false);
  assert.equal(rl.stats().delayed, 3);
  assert.equal(rl.stats().limitedMs, 30);
});

test("a batch larger than the burst goes when the bucket is full and leaves it in debt", async (t) => {
  t.after(() => mock.timers.reset());
  const { rl, advance } = clocked(1000, 100);
  assert.equal(rl.take(250), null, "a full bucket lets a 250-record batch go");
  let next = false;
  void rl.take(1)!.then(() => (next = true));
  await advance(150);
  assert.equal(next, false, "the 150-event debt is repaid first");
  await advance(1);
  assert.equal(next, true);
});

test("under endless demand the long-run rate is exactly the cap (plus the initial burst)", async (t) => {
  t.after(() => mock.timers.reset());
  const { rl, advance } = clocked(2000, 200);
  let released = 0;
  const demand = (): void => {
    for (;;) {
      const p = rl.take(10);
      if (!p) {
        released += 10;
        continue;
      }
      void p.then(() => {
        released += 10;
        demand();
      });
      return;
    }
  };
  demand();
  await advance(3000);
  assert.ok(Math.abs(released - (200 + 2000 * 3)) <= 10, `released ${released}`);
});
