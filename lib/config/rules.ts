// What values a setting accepts. A rule turns a saved value (present and not empty: the spec deals
// with absent and empty values) into the typed value the engines use, or says what is allowed as a
// message key of the `config` catalogue section with its parameters (lib/config/messages.ts).
// Pure code without Node.js modules: the editor runs the same rules (resources/config.js).

/** A message of the `config` catalogue section: key and parameters (`__name__` in the text). */
export interface Msg {
  key: string;
  params?: Record<string, string | number>;
}

export type Check<T> = { ok: true; value: T } | { ok: false; why: Msg };

export interface Rule<T> {
  parse(value: unknown): Check<T>;
}

export const ok = <T>(value: T): Check<T> => ({ ok: true, value });
export const fail = (key: string, params?: Msg["params"]): Check<never> => ({ ok: false, why: { key, params } });

/** Text of a number or string value (other types have none). */
function textOf(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A whole number from min to max, as a number or decimal digits (no exponent, no fraction). */
export function int(min: number, max: number): Rule<number> {
  return {
    parse(v) {
      const t = textOf(v);
      const n = t !== undefined && /^[+-]?\d{1,16}$/.test(t) ? Number(t) : NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max ? ok(n) : fail("int", { min, max });
    },
  };
}

/** A number from min to max (decimals allowed, no exponent), e.g. seconds. */
export function decimal(min: number, max: number): Rule<number> {
  return {
    parse(v) {
      const t = textOf(v);
      const n = t !== undefined && /^[+-]?(\d{1,16}(\.\d{0,9})?|\.\d{1,9})$/.test(t) ? Number(t) : NaN;
      return Number.isFinite(n) && n >= min && n <= max ? ok(n) : fail("decimal", { min, max });
    },
  };
}

/** One of the listed values; `fold` accepts any letter case (e.g. TLS for tls). */
export function oneOf<const V extends string>(values: readonly V[], opts: { fold?: boolean } = {}): Rule<V> {
  return {
    parse(v) {
      const t = textOf(v);
      const key = t !== undefined && opts.fold ? t.toLowerCase() : t;
      return key !== undefined && (values as readonly string[]).includes(key) ? ok(key as V) : fail("one-of", { values: values.join(", ") });
    },
  };
}

/** A text (strings only, trimmed), optionally at most `max` characters and matching `pattern` (else `why`). */
export function text(opts: { max?: number; pattern?: RegExp; why?: Msg } = {}): Rule<string> {
  return {
    parse(v) {
      if (typeof v !== "string") return fail("text");
      const t = v.trim();
      if (opts.max !== undefined && t.length > opts.max) return fail("max-length", { max: opts.max });
      if (opts.pattern && !opts.pattern.test(t)) return { ok: false, why: opts.why ?? { key: "pattern", params: { pattern: String(opts.pattern) } } };
      return ok(t);
    },
  };
}

/** Text kept exactly as written (separators, templates: spaces count). */
export function verbatim(): Rule<string> {
  return { parse: (v) => (typeof v === "string" ? ok(v) : fail("text")) };
}

/** true or false (a checkbox); the texts "true"/"false" too (hand-written flows, environment). */
export function bool(): Rule<boolean> {
  return {
    parse(v) {
      if (typeof v === "boolean") return ok(v);
      if (v === "true" || v === "false") return ok(v === "true");
      return fail("bool");
    },
  };
}

/** A rule from a function that returns the value, or undefined with `why` as the reason. */
export function custom<T>(parse: (v: unknown) => T | undefined, why: Msg | ((v: unknown) => Msg)): Rule<T> {
  return {
    parse(v) {
      const r = parse(v);
      return r !== undefined ? ok(r) : { ok: false, why: typeof why === "function" ? why(v) : why };
    },
  };
}

/**
 * A list whose items all pass `item`; the first bad item is reported as `list-item` with its row
 * and the item's own message (key in `why`, its parameters alongside).
 */
export function list<T>(item: (v: unknown) => Check<T>): Rule<T[]> {
  return {
    parse(v) {
      if (!Array.isArray(v)) return fail("list");
      const out: T[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = item(v[i]);
        if (!r.ok) return fail("list-item", { ...r.why.params, row: i + 1, why: r.why.key });
        out.push(r.value);
      }
      return ok(out);
    },
  };
}

/** `${NAME}` (or the old `$(NAME)`) as the whole value: Node-RED left it because NAME is not set. */
export function envReference(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^\$\{(\S+)\}$/.exec(v.trim()) ?? /^\$\((\S+)\)$/.exec(v.trim());
  return m ? m[1] : undefined;
}
