// Waiting for a syslog sender's state changes in unit tests.

import type { SenderState, SyslogSender } from "../../lib/syslog/sender";

/** Resolves when the sender reaches `want` (at once if it is there), with the error that came with it. */
export function waitState(s: SyslogSender, want: SenderState): Promise<Error | undefined> {
  if (s.currentState === want) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const on = (st: SenderState, err?: Error): void => {
      if (st === want) {
        s.off("state", on);
        resolve(err);
      }
    };
    s.on("state", on);
  });
}
