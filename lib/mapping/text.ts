// Small text helpers shared by the encoders.

/** First `max` UTF-16 units of `s`, never ending inside a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end);
}

/** A regular-expression character class matching any of `chars` (regex specials escaped). */
export function charClass(chars: string): RegExp {
  let body = "";
  for (const c of new Set(chars)) body += c.replace(/[\]\\^\-[]/g, "\\$&");
  return new RegExp("[" + body + "]");
}

/** Remembers the last input/output of a one-argument string function: header fields repeat. */
export function lastValueMemo(fn: (s: string) => string): (s: string) => string {
  let lastIn: string | undefined;
  let lastOut = "";
  return (s) => {
    if (s !== lastIn) {
      lastOut = fn(s);
      lastIn = s;
    }
    return lastOut;
  };
}
