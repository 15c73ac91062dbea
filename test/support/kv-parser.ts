// Reader for the key=value body in `backslash` escaping mode (lib/mapping/kv.ts documents the
// rule): split on unescaped separators, cut each pair at its first `=`, undo the escapes.

export function parseKvBackslash(body: string, sep: string, leading = true): [string, string][] {
  if (leading) {
    if (!body.startsWith(sep)) throw new Error("body does not start with the separator");
    body = body.slice(sep.length);
  }
  const pairs: string[] = [];
  let cur = "";
  for (let i = 0; i < body.length;) {
    if (body[i] === "\\") {
      cur += body.slice(i, i + 2);
      i += 2;
    } else if (body.startsWith(sep, i)) {
      pairs.push(cur);
      cur = "";
      i += sep.length;
    } else cur += body[i++];
  }
  pairs.push(cur);
  return pairs.map((p) => {
    const eq = p.indexOf("=");
    if (eq < 0) throw new Error(`pair without "=": ${p}`);
    return [p.slice(0, eq), unescape(p.slice(eq + 1))];
  });
}

function unescape(v: string): string {
  return v.replace(/\\(.)/gs, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c));
}
