/** Polls `cond` every 5 ms; rejects naming `what` once `ms` have passed. The one polling wait of the tests. */
export function until(cond: () => boolean, ms = 20_000, what = "condition"): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}
