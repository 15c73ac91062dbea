// The part of SLS SPL that a consumer's query uses (rule-based consumption, PullLogs `query=`):
//
//   * | where <bool-expr> | extend f = <expr>, ... | project a, new = "old", ... | project-away ...
//     | project-rename new = old, ...       (`-wildcard "pat*"` for project / project-away)
//
// Expressions follow SPL's SQL rules: every log field is VARCHAR, numbers need cast()/try_cast();
// comparisons, and/or/not, like [escape], regexp_like (RE2: no look-around, no back-references),
// in, between, is [not] null, + - * / % ||, and a few string functions. Strings are '...', field
// names "..." or bare identifiers (case-sensitive), keywords are case-insensitive, `--` and
// `/* */` comment, a trailing `;` is optional. `__time__`, `__topic__`, `__source__` and
// `__tag__:<key>` are readable; the log group's own metadata is never changed.
//
// A statement that does not parse or type-check is refused before anything is read, as SLS does,
// with 400 ParameterInvalid and a `line L:C:` message (the code SLS uses for invalid query text;
// inferred, see docs/emulator.md). A log whose evaluation fails (cast('abc' as bigint),
// division by zero) is left out and counted in x-log-failedlines.

import { decodeLogGroup, encodeLogGroup } from "../lib/sls/log-group-codec";
import { errors } from "./errors";

export type SplType = "varchar" | "bigint" | "double" | "boolean" | "unknown";
export type SplValue = string | number | boolean | null;

/** Fields of one log as SPL sees it, in order; values keep the type SPL computed. */
export type SplRow = Map<string, SplValue>;

export const MAX_SPL_BYTES = 64 * 1024;
export const MAX_SPL_INSTRUCTIONS = 16;

/** Field names SPL reads from the log group, never writes. */
export function isReservedField(name: string): boolean {
  return name === "__time__" || name === "__topic__" || name === "__source__" || name.startsWith("__tag__:");
}

// ------------------------------------------------------------------ lexer

type TokKind = "ident" | "qident" | "string" | "number" | "op" | "eof";
interface Tok {
  kind: TokKind;
  text: string;
  line: number;
  col: number;
}

function invalid(line: number, col: number, message: string): Error {
  return errors.parameterInvalid(`invalid SPL statement: line ${line}:${col}: ${message}`);
}

const OPS = ["<>", "!=", "<=", ">=", "||", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", "|", ";"];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (): { line: number; col: number } => ({ line, col: i - lineStart + 1 });
  while (i < src.length) {
    const c = src[i];
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "-" && src[i + 1] === "-") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const p = at();
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw invalid(p.line, p.col, "unterminated comment");
      for (; i < end + 2; i++) {
        if (src[i] === "\n") {
          line++;
          lineStart = i + 1;
        }
      }
      continue;
    }
    const p = at();
    if (c === "'" || c === '"') {
      // No escape sequences: a doubled quote stands for one quote.
      let s = "";
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw invalid(p.line, p.col, c === "'" ? "unterminated string literal" : "unterminated quoted field name");
        if (src[j] === c) {
          if (src[j + 1] === c) {
            s += c;
            j += 2;
            continue;
          }
          break;
        }
        if (src[j] === "\n") {
          line++;
          lineStart = j + 1;
        }
        s += src[j++];
      }
      out.push({ kind: c === "'" ? "string" : "qident", text: s, ...p });
      i = j + 1;
      continue;
    }
    const num = /^(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
    if (num && /\d/.test(c + (src[i + 1] ?? ""))) {
      out.push({ kind: "number", text: num[0], ...p });
      i += num[0].length;
      continue;
    }
    // Instruction names contain '-' (project-away): read them whole after a pipe.
    const id = /^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z]+)*/.exec(src.slice(i, i + 256));
    if (id) {
      const prev = out[out.length - 1];
      const text = prev?.kind === "op" && prev.text === "|" ? id[0] : /^[A-Za-z_][A-Za-z0-9_]*/.exec(id[0])![0];
      out.push({ kind: "ident", text, ...p });
      i += text.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw invalid(p.line, p.col, `unexpected character '${c}'`);
    out.push({ kind: "op", text: op, ...p });
    i += op.length;
  }
  out.push({ kind: "eof", text: "<EOF>", line, col: i - lineStart + 1 });
  return out;
}

// ------------------------------------------------------------------ AST

type Expr =
  | { k: "lit"; v: SplValue; t: SplType; pos: Tok }
  | { k: "field"; name: string; pos: Tok }
  | { k: "unary"; op: "-" | "not"; e: Expr; pos: Tok }
  | { k: "bin"; op: string; a: Expr; b: Expr; pos: Tok }
  | { k: "like"; not: boolean; e: Expr; pat: Expr; esc?: Expr; pos: Tok }
  | { k: "isnull"; not: boolean; e: Expr; pos: Tok }
  | { k: "in"; not: boolean; e: Expr; list: Expr[]; pos: Tok }
  | { k: "between"; not: boolean; e: Expr; lo: Expr; hi: Expr; pos: Tok }
  | { k: "cast"; e: Expr; to: SplType; safe: boolean; pos: Tok }
  | { k: "call"; fn: string; args: Expr[]; pos: Tok };

type Instruction =
  | { k: "where"; e: Expr }
  | { k: "extend"; outs: Array<{ name: string; e: Expr }> }
  | { k: "project"; items: Array<{ to: string; from: string }>; wildcard: string[] }
  | { k: "project-away"; names: string[]; wildcard: string[] }
  | { k: "project-rename"; items: Array<{ to: string; from: string }> };

// ------------------------------------------------------------------ parser

const KEYWORDS = new Set(["and", "or", "not", "like", "escape", "is", "null", "in", "between", "true", "false", "cast", "try_cast", "as"]);
const TYPES: Record<string, SplType> = {
  bigint: "bigint",
  integer: "bigint",
  int: "bigint",
  smallint: "bigint",
  tinyint: "bigint",
  double: "double",
  real: "double",
  varchar: "varchar",
  boolean: "boolean",
};
const INT_RANGE: Record<string, [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  integer: [-(2 ** 31), 2 ** 31 - 1],
  int: [-(2 ** 31), 2 ** 31 - 1],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

class Parser {
  private i = 0;
  constructor(private readonly t: Tok[]) {}

  private get cur(): Tok {
    return this.t[this.i];
  }

  private fail(tok: Tok, expecting: string): never {
    throw invalid(tok.line, tok.col, `mismatched input '${tok.text}'. Expecting: ${expecting}`);
  }

  private isKw(word: string, tok = this.cur): boolean {
    return tok.kind === "ident" && tok.text.toLowerCase() === word;
  }

  private isOp(op: string): boolean {
    return this.cur.kind === "op" && this.cur.text === op;
  }

  private eatKw(word: string): boolean {
    if (!this.isKw(word)) return false;
    this.i++;
    return true;
  }

  private eatOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }

  private expectOp(op: string): void {
    if (!this.eatOp(op)) this.fail(this.cur, `'${op}'`);
  }

  statement(): Instruction[] {
    if (!this.isOp("*")) this.fail(this.cur, "'*' (the data source of a consumption statement is *)");
    this.i++;
    const out: Instruction[] = [];
    while (this.eatOp("|")) {
      out.push(this.instruction());
      if (out.length > MAX_SPL_INSTRUCTIONS) throw invalid(this.cur.line, this.cur.col, `more than ${MAX_SPL_INSTRUCTIONS} pipeline levels`);
    }
    this.eatOp(";");
    if (this.cur.kind !== "eof") this.fail(this.cur, "'|', ';', <EOF>");
    return out;
  }

  private instruction(): Instruction {
    const tok = this.cur;
    if (tok.kind !== "ident") this.fail(tok, "an SPL instruction");
    this.i++;
    switch (tok.text.toLowerCase()) {
      case "where":
        return { k: "where", e: this.expr() };
      case "extend": {
        const outs: Array<{ name: string; e: Expr }> = [];
        do {
          const name = this.fieldName();
          this.expectOp("=");
          outs.push({ name, e: this.expr() });
        } while (this.eatOp(","));
        return { k: "extend", outs };
      }
      case "project":
      case "project-away": {
        const wildcard: string[] = [];
        const items: Array<{ to: string; from: string }> = [];
        const isWild = this.isOp("-") && this.isKw("wildcard", this.t[this.i + 1]);
        if (isWild) this.i += 2;
        do {
          const name = this.fieldName();
          if (isWild) wildcard.push(name);
          else if (tok.text.toLowerCase() === "project" && this.eatOp("=")) items.push({ to: name, from: this.fieldName() });
          else items.push({ to: name, from: name });
        } while (this.eatOp(","));
        return tok.text.toLowerCase() === "project" ? { k: "project", items, wildcard } : { k: "project-away", names: items.map((x) => x.from), wildcard };
      }
      case "project-rename": {
        const items: Array<{ to: string; from: string }> = [];
        do {
          const to = this.fieldName();
          this.expectOp("=");
          items.push({ to, from: this.fieldName() });
        } while (this.eatOp(","));
        return { k: "project-rename", items };
      }
      default:
        throw invalid(tok.line, tok.col, `unknown SPL instruction '${tok.text}' (the emulator knows where, extend, project, project-away, project-rename)`);
    }
  }

  private fieldName(): string {
    const tok = this.cur;
    if (tok.kind === "qident" || (tok.kind === "ident" && !KEYWORDS.has(tok.text.toLowerCase()))) {
      this.i++;
      return tok.text;
    }
    return this.fail(tok, "a field name");
  }

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let a = this.and();
    while (this.isKw("or")) {
      const pos = this.cur;
      this.i++;
      a = { k: "bin", op: "or", a, b: this.and(), pos };
    }
    return a;
  }

  private and(): Expr {
    let a = this.not();
    while (this.isKw("and")) {
      const pos = this.cur;
      this.i++;
      a = { k: "bin", op: "and", a, b: this.not(), pos };
    }
    return a;
  }

  private not(): Expr {
    if (this.isKw("not")) {
      const pos = this.cur;
      this.i++;
      return { k: "unary", op: "not", e: this.not(), pos };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const e = this.additive();
    const pos = this.cur;
    if (this.cur.kind === "op" && ["=", "<>", "!=", "<", "<=", ">", ">="].includes(this.cur.text)) {
      this.i++;
      return { k: "bin", op: pos.text === "!=" ? "<>" : pos.text, a: e, b: this.additive(), pos };
    }
    if (this.eatKw("is")) {
      const not = this.eatKw("not");
      if (!this.eatKw("null")) this.fail(this.cur, "NULL");
      return { k: "isnull", not, e, pos };
    }
    const not = this.isKw("not") && ["like", "in", "between"].some((w) => this.isKw(w, this.t[this.i + 1]));
    if (not) this.i++;
    if (this.eatKw("like")) {
      const pat = this.additive();
      const esc = this.eatKw("escape") ? this.additive() : undefined;
      return { k: "like", not, e, pat, esc, pos };
    }
    if (this.eatKw("in")) {
      this.expectOp("(");
      const list: Expr[] = [];
      do list.push(this.expr());
      while (this.eatOp(","));
      this.expectOp(")");
      return { k: "in", not, e, list, pos };
    }
    if (this.eatKw("between")) {
      const lo = this.additive();
      if (!this.eatKw("and")) this.fail(this.cur, "AND");
      return { k: "between", not, e, lo, hi: this.additive(), pos };
    }
    return e;
  }

  private additive(): Expr {
    let a = this.multiplicative();
    while (this.cur.kind === "op" && ["+", "-", "||"].includes(this.cur.text)) {
      const pos = this.cur;
      this.i++;
      a = { k: "bin", op: pos.text, a, b: this.multiplicative(), pos };
    }
    return a;
  }

  private multiplicative(): Expr {
    let a = this.unary();
    while (this.cur.kind === "op" && ["*", "/", "%"].includes(this.cur.text)) {
      const pos = this.cur;
      this.i++;
      a = { k: "bin", op: pos.text, a, b: this.unary(), pos };
    }
    return a;
  }

  private unary(): Expr {
    const pos = this.cur;
    if (this.eatOp("-")) return { k: "unary", op: "-", e: this.unary(), pos };
    if (this.eatOp("+")) return this.unary();
    return this.primary();
  }

  private primary(): Expr {
    const tok = this.cur;
    if (tok.kind === "number") {
      this.i++;
      const isInt = /^\d+$/.test(tok.text);
      const v = Number(tok.text);
      if (isInt && !Number.isSafeInteger(v)) throw invalid(tok.line, tok.col, `integer literal ${tok.text} is out of range`);
      return { k: "lit", v, t: isInt ? "bigint" : "double", pos: tok };
    }
    if (tok.kind === "string") {
      this.i++;
      return { k: "lit", v: tok.text, t: "varchar", pos: tok };
    }
    if (tok.kind === "qident") {
      this.i++;
      return { k: "field", name: tok.text, pos: tok };
    }
    if (this.eatOp("(")) {
      const e = this.expr();
      this.expectOp(")");
      return e;
    }
    if (tok.kind === "ident") {
      const w = tok.text.toLowerCase();
      if (w === "null" || w === "true" || w === "false") {
        this.i++;
        return w === "null" ? { k: "lit", v: null, t: "unknown", pos: tok } : { k: "lit", v: w === "true", t: "boolean", pos: tok };
      }
      if (w === "cast" || w === "try_cast") {
        this.i++;
        this.expectOp("(");
        const e = this.expr();
        if (!this.eatKw("as")) this.fail(this.cur, "AS");
        const tt = this.cur;
        const to = tt.kind === "ident" ? TYPES[tt.text.toLowerCase()] : undefined;
        if (!to) throw invalid(tt.line, tt.col, `unknown type '${tt.text}' (bigint, integer, smallint, tinyint, double, real, varchar, boolean)`);
        this.i++;
        this.expectOp(")");
        const node: Expr = { k: "cast", e, to, safe: w === "try_cast", pos: tok };
        (node as { range?: [number, number] }).range = INT_RANGE[tt.text.toLowerCase()];
        return node;
      }
      if (KEYWORDS.has(w)) this.fail(tok, "an expression");
      this.i++;
      if (this.eatOp("(")) {
        const args: Expr[] = [];
        if (!this.isOp(")")) {
          do args.push(this.expr());
          while (this.eatOp(","));
        }
        this.expectOp(")");
        return { k: "call", fn: w, args, pos: tok };
      }
      return { k: "field", name: tok.text, pos: tok };
    }
    return this.fail(tok, "an expression");
  }
}

// ------------------------------------------------------------------ types

const numeric = (t: SplType): boolean => t === "bigint" || t === "double" || t === "unknown";
const fits = (t: SplType, want: SplType): boolean => t === want || t === "unknown" || (want === "double" && t === "bigint");

interface FnSig {
  args: SplType[];
  /** Optional trailing arguments (counted from the end of `args`). */
  optional?: number;
  variadic?: boolean;
  ret: SplType | "same";
}

const FUNCTIONS: Record<string, FnSig> = {
  regexp_like: { args: ["varchar", "varchar"], ret: "boolean" },
  regexp_extract: { args: ["varchar", "varchar", "bigint"], optional: 1, ret: "varchar" },
  regexp_replace: { args: ["varchar", "varchar", "varchar"], optional: 1, ret: "varchar" },
  lower: { args: ["varchar"], ret: "varchar" },
  upper: { args: ["varchar"], ret: "varchar" },
  trim: { args: ["varchar"], ret: "varchar" },
  length: { args: ["varchar"], ret: "bigint" },
  strpos: { args: ["varchar", "varchar"], ret: "bigint" },
  substr: { args: ["varchar", "bigint", "bigint"], optional: 1, ret: "varchar" },
  concat: { args: ["varchar"], variadic: true, ret: "varchar" },
  coalesce: { args: ["unknown"], variadic: true, ret: "same" },
  json_extract_scalar: { args: ["varchar", "varchar"], ret: "varchar" },
};

/** Field types known at a point of the pipeline; a field not listed is a log field: VARCHAR. */
type Env = Map<string, SplType>;

function typeError(pos: Tok, message: string): Error {
  return invalid(pos.line, pos.col, message);
}

/** Checks an expression and returns its type (SPL's static rules: no implicit varchar/number mix). */
function typeOf(e: Expr, env: Env): SplType {
  switch (e.k) {
    case "lit":
      return e.t;
    case "field":
      return env.get(e.name) ?? "varchar";
    case "unary": {
      const t = typeOf(e.e, env);
      if (e.op === "not") {
        if (!fits(t, "boolean")) throw typeError(e.pos, `NOT cannot be applied to ${t}`);
        return "boolean";
      }
      if (!numeric(t)) throw typeError(e.pos, `'-' cannot be applied to ${t}`);
      return t;
    }
    case "bin": {
      const a = typeOf(e.a, env);
      const b = typeOf(e.b, env);
      if (e.op === "and" || e.op === "or") {
        if (!fits(a, "boolean") || !fits(b, "boolean")) throw typeError(e.pos, `${e.op.toUpperCase()} cannot be applied to ${a}, ${b}`);
        return "boolean";
      }
      if (e.op === "||") {
        if (!fits(a, "varchar") || !fits(b, "varchar")) throw typeError(e.pos, `'||' cannot be applied to ${a}, ${b}`);
        return "varchar";
      }
      if (["+", "-", "*", "/", "%"].includes(e.op)) {
        if (!numeric(a) || !numeric(b)) throw typeError(e.pos, `'${e.op}' cannot be applied to ${a}, ${b}`);
        return a === "double" || b === "double" ? "double" : a === "unknown" ? b : a;
      }
      comparable(e.pos, e.op, a, b);
      return "boolean";
    }
    case "like": {
      for (const x of [e.e, e.pat, ...(e.esc ? [e.esc] : [])]) {
        const t = typeOf(x, env);
        if (!fits(t, "varchar")) throw typeError(e.pos, `LIKE cannot be applied to ${t}`);
      }
      return "boolean";
    }
    case "isnull":
      typeOf(e.e, env);
      return "boolean";
    case "in": {
      const t = typeOf(e.e, env);
      for (const x of e.list) comparable(e.pos, "IN", t, typeOf(x, env));
      return "boolean";
    }
    case "between": {
      const t = typeOf(e.e, env);
      comparable(e.pos, "BETWEEN", t, typeOf(e.lo, env));
      comparable(e.pos, "BETWEEN", t, typeOf(e.hi, env));
      return "boolean";
    }
    case "cast":
      typeOf(e.e, env);
      return e.to;
    case "call": {
      const sig = FUNCTIONS[e.fn];
      if (!sig) throw typeError(e.pos, `Function ${e.fn} not registered`);
      const got = e.args.map((a) => typeOf(a, env));
      const min = sig.args.length - (sig.optional ?? 0);
      const ok = sig.variadic
        ? got.length >= 1 && got.every((t) => sig.args[0] === "unknown" || fits(t, sig.args[0]))
        : got.length >= min && got.length <= sig.args.length && got.every((t, i) => fits(t, sig.args[i]));
      if (!ok) {
        throw typeError(
          e.pos,
          `Unexpected parameters (${got.join(", ")}) for function ${e.fn}. Expected: ${e.fn}(${sig.args.join(", ")}${sig.variadic ? ", ..." : ""})`,
        );
      }
      if (sig.ret !== "same") return sig.ret;
      const known = got.filter((t) => t !== "unknown");
      if (known.some((t) => !fits(t, known[0]) && !fits(known[0], t))) throw typeError(e.pos, `All ${e.fn} operands must be the same type: ${got.join(", ")}`);
      return known.includes("double") ? "double" : (known[0] ?? "unknown");
    }
  }
}

function comparable(pos: Tok, op: string, a: SplType, b: SplType): void {
  if (a === "unknown" || b === "unknown" || a === b || (numeric(a) && numeric(b))) return;
  throw typeError(pos, `'${op}' cannot be applied to ${a}, ${b}`);
}

/** RE2 has no look-around and no back-references: refuse them as SLS does. */
function checkRegex(pos: Tok, pattern: string): RegExp {
  if (/\(\?<?[=!]/.test(pattern) || /\\[1-9]/.test(pattern)) {
    throw typeError(pos, `invalid regular expression '${pattern}': look-around and back-references are not supported (RE2)`);
  }
  try {
    return new RegExp(pattern, "u");
  } catch (err) {
    throw typeError(pos, `invalid regular expression '${pattern}': ${(err as Error).message}`);
  }
}

/** Literal regex patterns are compiled (and refused) while the statement is checked. */
function precompile(e: Expr, cache: Map<string, RegExp>): void {
  const visit = (x: Expr): void => {
    switch (x.k) {
      case "call":
        if (x.fn.startsWith("regexp_") && x.args[1]?.k === "lit" && typeof x.args[1].v === "string")
          cache.set(x.args[1].v, checkRegex(x.args[1].pos, x.args[1].v));
        x.args.forEach(visit);
        break;
      case "unary":
      case "isnull":
      case "cast":
        visit(x.e);
        break;
      case "bin":
        visit(x.a);
        visit(x.b);
        break;
      case "like":
        visit(x.e);
        visit(x.pat);
        if (x.esc) visit(x.esc);
        break;
      case "in":
        visit(x.e);
        x.list.forEach(visit);
        break;
      case "between":
        visit(x.e);
        visit(x.lo);
        visit(x.hi);
        break;
      default:
        break;
    }
  };
  visit(e);
}

// ------------------------------------------------------------------ evaluation

/** A failure while evaluating one log (the log is left out and counted as failed). */
class RowError extends Error {}

function likeRegex(pattern: string, esc: string | undefined): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (esc !== undefined && c === esc) {
      const n = pattern[++i];
      if (n === undefined) throw new RowError("LIKE pattern ends with the escape character");
      re += n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else if (c === "%") re += "[\\s\\S]*";
    else if (c === "_") re += "[\\s\\S]";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(re + "$", "u");
}

function castValue(v: SplValue, to: SplType, range: [number, number] | undefined): SplValue {
  if (v === null) return null;
  switch (to) {
    case "varchar":
      return typeof v === "string" ? v : typeof v === "boolean" ? String(v) : numberText(v);
    case "boolean":
      if (typeof v === "boolean") return v;
      if (typeof v === "number") return v !== 0;
      if (/^\s*true\s*$/i.test(v)) return true;
      if (/^\s*false\s*$/i.test(v)) return false;
      throw new RowError(`Cannot cast '${v}' to BOOLEAN`);
    case "double": {
      if (typeof v === "number") return v;
      if (typeof v === "boolean") return v ? 1 : 0;
      const n = v.trim() === "" ? NaN : Number(v.trim());
      if (Number.isNaN(n) && !/^\s*nan\s*$/i.test(v)) throw new RowError(`Cannot cast '${v}' to DOUBLE`);
      return n;
    }
    case "bigint": {
      let n: number;
      if (typeof v === "boolean") n = v ? 1 : 0;
      else if (typeof v === "number") n = Math.sign(v) * Math.round(Math.abs(v));
      else {
        const t = v.trim();
        if (!/^[+-]?\d+$/.test(t)) throw new RowError(`Cannot cast '${v}' to BIGINT`);
        n = Number(t);
      }
      const [lo, hi] = range ?? INT_RANGE.bigint;
      if (!Number.isFinite(n) || n < lo || n > hi) throw new RowError(`Out of range for the integer type: ${String(v)}`);
      return n;
    }
    default:
      return v;
  }
}

function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(n);
}

function compare(a: SplValue, b: SplValue): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function jsonPath(json: string, path: string): SplValue {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  const m = /^\$((?:\.[A-Za-z_][\w]*|\[\d+\]|\['[^']*'\]|\["[^"]*"\])*)$/.exec(path.trim());
  if (!m) throw new RowError(`Invalid JSON path: '${path}'`);
  for (const step of m[1].match(/\.[A-Za-z_][\w]*|\[\d+\]|\['[^']*'\]|\["[^"]*"\]/g) ?? []) {
    if (v === null || typeof v !== "object") return null;
    const key = step.startsWith(".") ? step.slice(1) : step.startsWith("['") || step.startsWith('["') ? step.slice(2, -2) : Number(step.slice(1, -1));
    v = (v as Record<string | number, unknown>)[key];
  }
  if (v === null || v === undefined || typeof v === "object") return null;
  return String(v);
}

class Evaluator {
  constructor(private readonly regexes: Map<string, RegExp>) {}

  private regex(p: string): RegExp {
    let r = this.regexes.get(p);
    if (!r) {
      if (/\(\?<?[=!]/.test(p) || /\\[1-9]/.test(p)) throw new RowError(`invalid regular expression '${p}'`);
      try {
        r = new RegExp(p, "u");
      } catch {
        throw new RowError(`invalid regular expression '${p}'`);
      }
      if (this.regexes.size < 1000) this.regexes.set(p, r);
    }
    return r;
  }

  eval(e: Expr, row: SplRow): SplValue {
    switch (e.k) {
      case "lit":
        return e.v;
      case "field":
        return row.get(e.name) ?? null;
      case "unary": {
        const v = this.eval(e.e, row);
        if (v === null) return null;
        return e.op === "not" ? !v : -(v as number);
      }
      case "bin":
        return this.binary(e, row);
      case "like": {
        const v = this.eval(e.e, row);
        const p = this.eval(e.pat, row);
        const esc = e.esc ? this.eval(e.esc, row) : undefined;
        if (v === null || p === null || esc === null) return null;
        if (esc !== undefined && String(esc).length !== 1) throw new RowError("the LIKE escape must be one character");
        const r = likeRegex(String(p), esc === undefined ? undefined : String(esc)).test(String(v));
        return e.not ? !r : r;
      }
      case "isnull": {
        const isNull = this.eval(e.e, row) === null;
        return e.not ? !isNull : isNull;
      }
      case "in": {
        const v = this.eval(e.e, row);
        if (v === null) return null;
        let sawNull = false;
        for (const x of e.list) {
          const w = this.eval(x, row);
          if (w === null) sawNull = true;
          else if (compare(v, w) === 0) return !e.not;
        }
        return sawNull ? null : e.not;
      }
      case "between": {
        const v = this.eval(e.e, row);
        const lo = this.eval(e.lo, row);
        const hi = this.eval(e.hi, row);
        if (v === null || lo === null || hi === null) return null;
        const r = compare(v, lo) >= 0 && compare(v, hi) <= 0;
        return e.not ? !r : r;
      }
      case "cast": {
        const v = this.eval(e.e, row);
        try {
          return castValue(v, e.to, (e as { range?: [number, number] }).range);
        } catch (err) {
          if (e.safe && err instanceof RowError) return null;
          throw err;
        }
      }
      case "call":
        return this.call(
          e.fn,
          e.args.map((a) => this.eval(a, row)),
        );
    }
  }

  private binary(e: Extract<Expr, { k: "bin" }>, row: SplRow): SplValue {
    if (e.op === "and" || e.op === "or") {
      const a = this.eval(e.a, row);
      if (e.op === "and" && a === false) return false;
      if (e.op === "or" && a === true) return true;
      const b = this.eval(e.b, row);
      if (e.op === "and") return b === false ? false : a === null || b === null ? null : true;
      return b === true ? true : a === null || b === null ? null : false;
    }
    const a = this.eval(e.a, row);
    const b = this.eval(e.b, row);
    if (a === null || b === null) return null;
    switch (e.op) {
      case "||":
        return String(a) + String(b);
      case "+":
        return (a as number) + (b as number);
      case "-":
        return (a as number) - (b as number);
      case "*":
        return (a as number) * (b as number);
      case "/":
      case "%": {
        const x = a as number;
        const y = b as number;
        const ints = Number.isInteger(x) && Number.isInteger(y) && !this.isDouble(e);
        if (y === 0 && ints) throw new RowError("Division by zero");
        if (e.op === "%") return x % y;
        return ints ? Math.trunc(x / y) : x / y;
      }
      default: {
        const c = compare(a, b);
        switch (e.op) {
          case "=":
            return c === 0;
          case "<>":
            return c !== 0;
          case "<":
            return c < 0;
          case "<=":
            return c <= 0;
          case ">":
            return c > 0;
          default:
            return c >= 0;
        }
      }
    }
  }

  private isDouble(e: Extract<Expr, { k: "bin" }>): boolean {
    return (e as { t?: SplType }).t === "double";
  }

  private call(fn: string, a: SplValue[]): SplValue {
    if (fn === "coalesce") return a.find((v) => v !== null) ?? null;
    if (fn === "concat") return a.some((v) => v === null) ? null : a.map(String).join("");
    if (a.some((v) => v === null)) return null;
    const s = String(a[0]);
    switch (fn) {
      case "regexp_like":
        return this.regex(String(a[1])).test(s);
      case "regexp_extract": {
        const m = this.regex(String(a[1])).exec(s);
        if (!m) return null;
        const g = a[2] === undefined ? 0 : (a[2] as number);
        if (g < 0 || g >= m.length) throw new RowError(`Pattern has ${m.length - 1} groups. Cannot access group ${g}`);
        return m[g] ?? null;
      }
      case "regexp_replace": {
        const r = this.regex(String(a[1]));
        return s.replace(new RegExp(r.source, "gu"), a[2] === undefined ? "" : String(a[2]).replace(/\$(\d)/g, "$$$1"));
      }
      case "lower":
        return s.toLowerCase();
      case "upper":
        return s.toUpperCase();
      case "trim":
        return s.trim();
      case "length":
        return [...s].length;
      case "strpos": {
        const i = s.indexOf(String(a[1]));
        return i < 0 ? 0 : [...s.slice(0, i)].length + 1;
      }
      case "substr": {
        const cp = [...s];
        let start = a[1] as number;
        if (start === 0) return "";
        start = start > 0 ? start - 1 : cp.length + start;
        if (start < 0 || start >= cp.length) return "";
        return cp.slice(start, a[2] === undefined ? undefined : start + (a[2] as number)).join("");
      }
      case "json_extract_scalar":
        return jsonPath(s, String(a[1]));
      default:
        throw new RowError(`Function ${fn} not registered`);
    }
  }
}

// ------------------------------------------------------------------ program

export interface SplResult {
  /** The log's fields after the statement (in order), or null when the log is filtered out. */
  row: SplRow | null;
  /** Evaluation failed: the log is left out and counted in x-log-failedlines. */
  failed: boolean;
}

function wildcardRegex(pattern: string): RegExp {
  return new RegExp(
    "^" +
      pattern
        .split("*")
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("[\\s\\S]*") +
      "$",
    "u",
  );
}

/** A checked SPL statement, run log by log. */
export class SplProgram {
  private readonly evaluator: Evaluator;

  private constructor(
    readonly text: string,
    private readonly steps: Instruction[],
    regexes: Map<string, RegExp>,
  ) {
    this.evaluator = new Evaluator(regexes);
  }

  /** Parses and type-checks; throws the SLS error (400 ParameterInvalid) for a bad statement. */
  static compile(text: string): SplProgram {
    if (Buffer.byteLength(text) > MAX_SPL_BYTES) throw errors.parameterInvalid(`invalid SPL statement: longer than ${MAX_SPL_BYTES} bytes`);
    const steps = new Parser(lex(text)).statement();
    const env: Env = new Map();
    const regexes = new Map<string, RegExp>();
    for (const s of steps) {
      switch (s.k) {
        case "where": {
          const t = typeOf(s.e, env);
          if (t !== "boolean" && t !== "unknown") throw typeError(firstPos(s.e), `WHERE clause must evaluate to a boolean: actual type ${t}`);
          precompile(s.e, regexes);
          markDoubles(s.e, env);
          break;
        }
        case "extend": {
          const seen = new Set<string>();
          const types = s.outs.map((o) => {
            if (seen.has(o.name)) throw typeError(firstPos(o.e), `field ${o.name} is assigned twice in one extend`);
            seen.add(o.name);
            if (isReservedField(o.name)) throw typeError(firstPos(o.e), `field ${o.name} is read-only (log group metadata)`);
            precompile(o.e, regexes);
            markDoubles(o.e, env);
            return typeOf(o.e, env);
          });
          s.outs.forEach((o, i) => env.set(o.name, types[i] === "unknown" ? "varchar" : types[i]));
          break;
        }
        case "project": {
          const keep: Env = new Map();
          for (const it of s.items) keep.set(it.to, env.get(it.from) ?? "varchar");
          env.clear();
          for (const [k, v] of keep) env.set(k, v);
          break;
        }
        case "project-away":
          for (const n of s.names) env.delete(n);
          break;
        case "project-rename":
          for (const it of s.items) {
            const t = env.get(it.from);
            env.delete(it.from);
            if (t) env.set(it.to, t);
          }
          break;
      }
    }
    return new SplProgram(text, steps, regexes);
  }

  run(input: SplRow): SplResult {
    let row = input;
    try {
      for (const s of this.steps) {
        switch (s.k) {
          case "where":
            if (this.evaluator.eval(s.e, row) !== true) return { row: null, failed: false };
            break;
          case "extend": {
            const values = s.outs.map((o) => this.evaluator.eval(o.e, row));
            row = new Map(row);
            s.outs.forEach((o, i) => {
              if (values[i] === null) row.delete(o.name);
              else row.set(o.name, values[i]);
            });
            break;
          }
          case "project": {
            const next: SplRow = new Map();
            for (const [k, v] of row) if (isReservedField(k)) next.set(k, v);
            for (const it of s.items) {
              const v = row.get(it.from);
              if (v !== undefined && v !== null) next.set(it.to, v);
            }
            if (s.wildcard.length > 0) {
              const res = s.wildcard.map(wildcardRegex);
              for (const [k, v] of row) if (res.some((r) => r.test(k))) next.set(k, v);
            }
            row = next;
            break;
          }
          case "project-away": {
            const res = s.wildcard.map(wildcardRegex);
            const next: SplRow = new Map();
            for (const [k, v] of row) {
              if (isReservedField(k) || (!s.names.includes(k) && !res.some((r) => r.test(k)))) next.set(k, v);
            }
            row = next;
            break;
          }
          case "project-rename": {
            const next: SplRow = new Map();
            const renamed = new Map(s.items.map((it) => [it.from, it.to]));
            for (const [k, v] of row) next.set(isReservedField(k) ? k : (renamed.get(k) ?? k), v);
            row = next;
            break;
          }
        }
      }
    } catch (e) {
      if (e instanceof RowError) return { row: null, failed: true };
      throw e;
    }
    return { row, failed: false };
  }
}

/** Records which arithmetic nodes compute in DOUBLE (integer division only for BIGINT / BIGINT). */
function markDoubles(e: Expr, env: Env): void {
  const visit = (x: Expr): void => {
    if (x.k === "bin") {
      if (x.op === "/" || x.op === "%") (x as { t?: SplType }).t = typeOf(x, env);
      visit(x.a);
      visit(x.b);
    } else if (x.k === "unary" || x.k === "isnull" || x.k === "cast") visit(x.e);
    else if (x.k === "call") x.args.forEach(visit);
    else if (x.k === "like") [x.e, x.pat].forEach(visit);
    else if (x.k === "in") [x.e, ...x.list].forEach(visit);
    else if (x.k === "between") [x.e, x.lo, x.hi].forEach(visit);
  };
  visit(e);
}

function firstPos(e: Expr): Tok {
  return e.pos;
}

/** SPL's text form of a value, as it goes back into a log's contents. */
export function splText(v: SplValue): string {
  return typeof v === "string" ? v : typeof v === "number" ? numberText(v) : String(v);
}

export interface SplGroupResult {
  /** The group as PullLogs returns it after the statement; undefined when no log is left. */
  bytes: Buffer | undefined;
  logsIn: number;
  logsOut: number;
  failed: number;
}

/**
 * Runs a statement over a stored log group: each log is a row of its contents plus the group's
 * metadata fields; what is left keeps its time and the group's topic, source and tags.
 */
export function applySpl(program: SplProgram, stored: Buffer): SplGroupResult {
  const g = decodeLogGroup(stored);
  const meta: Array<[string, string]> = [];
  if (g.topic !== undefined) meta.push(["__topic__", g.topic]);
  if (g.source !== undefined) meta.push(["__source__", g.source]);
  for (const [k, v] of g.tags) meta.push([`__tag__:${k}`, v]);
  let failed = 0;
  const logs = [];
  for (const log of g.logs) {
    const row: SplRow = new Map<string, SplValue>([["__time__", String(log.time)], ...meta]);
    for (const [k, v] of log.contents) row.set(k, v);
    const r = program.run(row);
    if (r.failed) failed++;
    if (!r.row) continue;
    const contents: Array<[string, string]> = [];
    for (const [k, v] of r.row) if (!isReservedField(k) && v !== null) contents.push([k, splText(v)]);
    logs.push({ ...log, contents });
  }
  return { bytes: logs.length > 0 ? encodeLogGroup({ ...g, logs }) : undefined, logsIn: g.logs.length, logsOut: logs.length, failed };
}
