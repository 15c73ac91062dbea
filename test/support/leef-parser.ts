// A strict LEEF 1.0/2.0 parser for tests (docs/syslog-and-siem.md, "LEEF"): header fields may not
// contain `|`, attributes are key=value separated by exactly the declared delimiter (TAB in 1.0),
// keys are non-empty without whitespace or `=`, and no raw CR/LF may appear anywhere.

export interface LeefEvent {
  version: "1.0" | "2.0";
  vendor: string;
  product: string;
  productVersion: string;
  eventId: string;
  /** The delimiter as declared in the header (2.0), and the character it stands for. */
  delimiterSpec?: string;
  delimiter: string;
  attributes: [string, string][];
}

export function parseLeef(line: string): LeefEvent {
  if (/[\r\n]/.test(line)) throw new Error("raw CR/LF in a LEEF line");
  const m = /^LEEF:(1\.0|2\.0)\|/.exec(line);
  if (!m) throw new Error(`not LEEF: ${line.slice(0, 20)}`);
  const version = m[1] as "1.0" | "2.0";
  const nHeader = version === "2.0" ? 5 : 4;
  const parts: string[] = [];
  let rest = line.slice(m[0].length);
  for (let k = 0; k < nHeader; k++) {
    const bar = rest.indexOf("|");
    if (bar < 0) throw new Error(`LEEF ${version} header has ${k} of ${nHeader} fields`);
    parts.push(rest.slice(0, bar));
    rest = rest.slice(bar + 1);
  }
  let delimiter = "\t";
  let delimiterSpec: string | undefined;
  if (version === "2.0") {
    delimiterSpec = parts[4];
    const hex = /^(?:0x|x)([0-9a-fA-F]{1,4})$/.exec(delimiterSpec);
    if (hex) delimiter = String.fromCharCode(parseInt(hex[1], 16));
    else if (delimiterSpec.length === 1) delimiter = delimiterSpec;
    else throw new Error(`invalid LEEF 2.0 delimiter "${delimiterSpec}"`);
  }
  const attributes: [string, string][] = [];
  const seen = new Set<string>();
  if (rest !== "") {
    for (const pair of rest.split(delimiter)) {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new Error(`LEEF attribute without key=value: "${pair.slice(0, 40)}"`);
      const key = pair.slice(0, eq);
      if (/[\s|]/.test(key)) throw new Error(`invalid LEEF key "${key}"`);
      if (seen.has(key)) throw new Error(`duplicate LEEF key "${key}"`);
      seen.add(key);
      attributes.push([key, pair.slice(eq + 1)]);
    }
  }
  const [vendor, product, productVersion, eventId] = parts;
  return { version, vendor, product, productVersion, eventId, delimiterSpec, delimiter, attributes };
}
