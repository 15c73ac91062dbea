// A strict reader of the Prometheus text exposition format (version 0.0.4) for tests: every line
// is a # HELP, a # TYPE or a sample; a sample's family was declared by TYPE before it; label values
// are unescaped. Throws on anything else, so a malformed scrape fails the test.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
  /** Samples of `name` whose labels include every given pair. */
  find(name: string, labels?: Record<string, string | number>): Sample[];
  /** Sum of those samples' values. */
  sum(name: string, labels?: Record<string, string | number>): number;
  /** The value of the single sample that matches (throws unless exactly one does). */
  value(name: string, labels?: Record<string, string | number>): number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function family(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (base && (types.get(base) === "histogram" || types.get(base) === "summary")) return base;
  }
  return undefined;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      help.set(m[1], m[2]);
      continue;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      if (types.has(m[1])) throw new Error(`TYPE of ${m[1]} given twice`);
      types.set(m[1], m[2]);
      continue;
    }
    if (line.startsWith("#")) throw new Error(`unexpected comment: ${line}`);
    m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    if (!family(m[1], types)) throw new Error(`sample before its TYPE: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2] !== undefined && m[2] !== "") {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[2].length) {
        const l = LABEL.exec(m[2]);
        if (!l) throw new Error(`bad labels in: ${line}`);
        labels[l[1]] = l[2].replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
      }
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any letter case (prom-client writes "Nan").
    const v = m[3].toLowerCase();
    const value = v === "+inf" || v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : Number(m[3]);
    if (Number.isNaN(value) && v !== "nan") throw new Error(`bad value in: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  const find = (name: string, want: Record<string, string | number> = {}): Sample[] =>
    samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === String(v)));
  return {
    types,
    help,
    samples,
    find,
    sum: (name, want) => find(name, want).reduce((n, s) => n + s.value, 0),
    value(name, want) {
      const hits = find(name, want);
      if (hits.length !== 1) throw new Error(`${hits.length} samples of ${name} ${JSON.stringify(want ?? {})}`);
      return hits[0].value;
    },
  };
}
