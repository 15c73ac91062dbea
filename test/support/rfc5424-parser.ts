// A strict RFC 5424 parser for tests: it rejects anything the ABNF of RFC 5424 §6 does not allow
// (plus the semantic rules a sender must follow: unique SD-IDs, name@PEN for private IDs), so
// that re-parsing every formatted line proves the formatter's output is valid.

export interface ParsedSyslog {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  /** SD-ID → list of [name, value] (order kept, repeats allowed). */
  structuredData: Array<{ id: string; params: Array<[string, string]> }>;
  /** MSG bytes after the separating space, BOM included when present. */
  msg: Buffer | null;
  bom: boolean;
  /** MSG text without BOM. */
  message: string | null;
}

export class ParseError extends Error {}

const TS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-](\d{2}):(\d{2}))$/;

function printUsAscii(s: string, max: number, what: string): string | null {
  if (s === "-") return null;
  if (s.length < 1 || s.length > max) throw new ParseError(`${what} length ${s.length} outside 1..${max}`);
  if (!/^[\x21-\x7e]+$/.test(s)) throw new ParseError(`${what} has non PRINTUSASCII characters`);
  return s;
}

function checkTimestamp(s: string): string | null {
  if (s === "-") return null;
  const m = TS.exec(s);
  if (!m) throw new ParseError(`bad TIMESTAMP ${s}`);
  const [, y, mo, d, h, mi, se, , , oh, om] = m;
  // Date.UTC reads years 0..99 as 1900..1999; the Gregorian calendar repeats every 400 years.
  const day = new Date(Date.UTC(Number(y) + 400, Number(mo) - 1, Number(d)));
  if (Number(mo) < 1 || Number(mo) > 12 || day.getUTCDate() !== Number(d)) throw new ParseError(`bad date ${s}`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) throw new ParseError(`bad time ${s}`);
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) throw new ParseError(`bad offset ${s}`);
  return s;
}

const SD_NAME_CHAR = (c: number): boolean => c >= 0x21 && c <= 0x7e && c !== 0x3d && c !== 0x5d && c !== 0x22 && c !== 0x20;

export function parseRfc5424(input: Buffer | string, opts: { allowLongSdId?: boolean } = {}): ParsedSyslog {
  const buf = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  // Header is ASCII; read it as latin1 so byte offsets equal string offsets.
  const s = buf.toString("latin1");
  let i = 0;
  const expect = (ch: string): void => {
    if (s[i] !== ch) throw new ParseError(`expected ${JSON.stringify(ch)} at ${i}, got ${JSON.stringify(s[i])}`);
    i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && s[i] !== " ") i++;
    if (i === start) throw new ParseError(`empty field at ${start}`);
    return s.slice(start, i);
  };
  expect("<");
  const priStart = i;
  while (s[i] >= "0" && s[i] <= "9") i++;
  const priText = s.slice(priStart, i);
  if (priText.length < 1 || priText.length > 3 || (priText.length > 1 && priText[0] === "0")) throw new ParseError(`bad PRI ${priText}`);
  const pri = Number(priText);
  if (pri > 191) throw new ParseError(`PRI ${pri} > 191`);
  expect(">");
  if (s[i] !== "1") throw new ParseError("VERSION must be 1 directly after PRI");
  i++;
  expect(" ");
  const timestamp = checkTimestamp(token());
  expect(" ");
  const hostname = printUsAscii(token(), 255, "HOSTNAME");
  expect(" ");
  const appName = printUsAscii(token(), 48, "APP-NAME");
  expect(" ");
  const procId = printUsAscii(token(), 128, "PROCID");
  expect(" ");
  const msgId = printUsAscii(token(), 32, "MSGID");
  expect(" ");
  const structuredData: ParsedSyslog["structuredData"] = [];
  if (s[i] === "-") {
    i++;
  } else {
    if (s[i] !== "[") throw new ParseError(`STRUCTURED-DATA must be - or start with [ at ${i}`);
    const seen = new Set<string>();
    while (s[i] === "[") {
      i++;
      const name = (): string => {
        const start = i;
        while (i < s.length && SD_NAME_CHAR(s.charCodeAt(i))) i++;
        const n = s.slice(start, i);
        if (n.length === 0) throw new ParseError(`empty SD-NAME at ${start}`);
        return n;
      };
      const id = name();
      if (id.length > 32 && !opts.allowLongSdId) throw new ParseError(`SD-ID ${id} longer than 32`);
      const at = id.indexOf("@");
      if (at < 0 ? !["timeQuality", "origin", "meta"].includes(id) : at === 0 || !/^\d+(\.\d+)*$/.test(id.slice(at + 1))) {
        throw new ParseError(`SD-ID ${id} is neither IANA-registered nor name@PEN`);
      }
      if (seen.has(id)) throw new ParseError(`duplicate SD-ID ${id}`);
      seen.add(id);
      const params: Array<[string, string]> = [];
      while (s[i] === " ") {
        i++;
        const pn = name();
        if (pn.length > 32) throw new ParseError(`PARAM-NAME ${pn} longer than 32`);
        expect("=");
        expect('"');
        const bytes: number[] = [];
        for (;;) {
          if (i >= s.length) throw new ParseError("unterminated PARAM-VALUE");
          const c = s.charCodeAt(i);
          if (c === 0x5c && (s[i + 1] === '"' || s[i + 1] === "\\" || s[i + 1] === "]")) {
            bytes.push(s.charCodeAt(i + 1));
            i += 2;
          } else if (c === 0x22) {
            i++;
            break;
          } else if (c === 0x5d) {
            throw new ParseError(`unescaped ] in PARAM-VALUE at ${i}`);
          } else {
            bytes.push(c);
            i++;
          }
        }
        const vb = Buffer.from(bytes);
        const value = vb.toString("utf8");
        if (!Buffer.from(value, "utf8").equals(vb)) throw new ParseError("PARAM-VALUE is not valid UTF-8");
        params.push([pn, value]);
      }
      expect("]");
      structuredData.push({ id, params });
    }
  }
  let msg: Buffer | null = null;
  let bom = false;
  let message: string | null = null;
  if (i < s.length) {
    expect(" ");
    msg = buf.subarray(i);
    bom = msg.length >= 3 && msg[0] === 0xef && msg[1] === 0xbb && msg[2] === 0xbf;
    const body = bom ? msg.subarray(3) : msg;
    message = body.toString("utf8");
    if (bom && !Buffer.from(message, "utf8").equals(body)) throw new ParseError("MSG after BOM is not valid UTF-8");
  }
  return {
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version: 1,
    timestamp,
    hostname,
    appName,
    procId,
    msgId,
    structuredData,
    msg,
    bom,
    message,
  };
}
