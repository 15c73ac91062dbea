// A strict CEF parser for tests: it accepts exactly what the CEF rules allow (docs/syslog-and-siem.md,
// "CEF") and throws on anything else, so every line our encoder writes can be re-parsed and
// compared. Third-party parsers are lenient in different ways (nsyslog-parser cuts values at
// the first `=`), which is why the tests carry their own.

export interface CefEvent {
  version: number;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: string;
  extension: [string, string][];
}

const SEVERITY = /^(?:10|[0-9]|Unknown|Low|Medium|High|Very-High)$/;
const KEY = /^[A-Za-z0-9_]+$/;

export function parseCef(line: string): CefEvent {
  if (/[\r\n]/.test(line)) throw new Error("raw CR/LF in a CEF line");
  const m = /^CEF:(\d+)\|/.exec(line);
  if (!m) throw new Error(`not CEF: ${line.slice(0, 20)}`);
  let i = m[0].length;
  const header: string[] = [];
  let cur = "";
  while (header.length < 6) {
    if (i >= line.length) throw new Error(`CEF header has ${header.length} of 6 fields after the version`);
    const c = line[i];
    if (c === "\\") {
      const n = line[i + 1];
      if (n !== "\\" && n !== "|") throw new Error(`invalid escape \\${n ?? ""} in CEF header field ${header.length + 1}`);
      cur += n;
      i += 2;
    } else if (c === "|") {
      header.push(cur);
      cur = "";
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  const [vendor, product, deviceVersion, signatureId, name, severity] = header;
  if (!SEVERITY.test(severity)) throw new Error(`invalid CEF severity "${severity}"`);
  return { version: Number(m[1]), vendor, product, deviceVersion, signatureId, name, severity, extension: parseExtension(line.slice(i)) };
}

function unescapeValue(raw: string): string {
  let out = "";
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = raw[++k];
    if (n === "\\" || n === "=") out += n;
    else if (n === "n") out += "\n";
    else if (n === "r") out += "\r";
    else throw new Error(`invalid escape \\${n ?? ""} in CEF extension value`);
  }
  return out;
}

function parseExtension(ext: string): [string, string][] {
  const out: [string, string][] = [];
  if (ext === "") return out;
  let key: string | undefined;
  const seen = new Set<string>();
  const addKey = (k: string) => {
    if (!KEY.test(k)) throw new Error(`invalid CEF extension key "${k}"`);
    if (seen.has(k)) throw new Error(`duplicate CEF extension key "${k}"`);
    seen.add(k);
    key = k;
  };
  // First key
  const eq = ext.indexOf("=");
  if (eq < 0) throw new Error("CEF extension without key=value");
  addKey(ext.slice(0, eq));
  let pos = eq + 1;
  let valueStart = pos;
  while (pos < ext.length) {
    const c = ext[pos];
    if (c === "\\") {
      pos += 2;
      continue;
    }
    if (c === "=") {
      // An unescaped `=` ends the previous value at the last space: the word before is a key.
      const sp = ext.lastIndexOf(" ", pos);
      if (sp < valueStart) throw new Error(`unescaped "=" inside the value of ${key}`);
      out.push([key as string, unescapeValue(ext.slice(valueStart, sp))]);
      addKey(ext.slice(sp + 1, pos));
      valueStart = pos + 1;
    }
    pos++;
  }
  out.push([key as string, unescapeValue(ext.slice(valueStart))]);
  return out;
}
