// Node settings as data: one spec per node type says, for each property, what it accepts (a rule),
// what the editor saves for a new node, what an absent or empty value means, when it applies, and
// whether it is a credential; plus the format version and the steps that upgrade older saved
// settings. Two functions use it, in the runtime and in the editor alike:
//   migrate(spec, saved)  upgrades saved settings step by step to the current format;
//   resolve(spec, saved)  gives the typed settings the engines consume, or every problem found.
// A node never starts with a value it had to guess: a value that is not allowed is a problem, not
// a fallback. See docs/architecture.md, "Node settings".

import { envReference, type Msg, type Rule } from "./rules";
import { english } from "./messages";

export type Raw = Record<string, unknown>;

export interface Prop<T> {
  rule: Rule<T>;
  /** What the editor saves for a new node. */
  default: unknown;
  /** Absent or empty is a problem. Otherwise it means `empty` (a value, or computed from the other settings). */
  required: boolean;
  empty?: T | ((c: Raw) => T);
  /** The property applies only when this holds (e.g. TLS files with protocol tls); otherwise it is `empty`, unchecked. */
  when?: (c: Raw) => boolean;
  /** Kept in Node-RED credentials, never in the flow; `${NAME}` reads the environment. Values never appear in messages. */
  credential?: "text" | "password";
  /** The id of a config node of this type. */
  ref?: string;
  /** Empty text is a value like any other, for the rule to judge (a mapping's empty app-name); only absent means `empty`. */
  keepsEmpty?: boolean;
}

type Extra = Pick<Prop<unknown>, "when" | "credential" | "ref" | "keepsEmpty">;

/** A property that must be set. */
export function required<T>(rule: Rule<T>, dflt: unknown, extra: Extra = {}): Prop<T> {
  return { rule, default: dflt, required: true, ...extra };
}

/** A property that may be left empty (or be absent, in older flows): then it is `empty`. */
export function optional<T, E = undefined>(rule: Rule<T>, dflt: unknown, empty?: E | ((c: Raw) => E), extra: Extra = {}): Prop<T | E> {
  return { rule, default: dflt, required: false, empty, ...extra } as Prop<T | E>;
}

export type Props = Record<string, Prop<unknown>>;

export type Resolved<P extends Props> = { -readonly [K in keyof P]: P[K] extends Prop<infer T> ? T : never } & { name: string; version: number };

/** A problem with one property, as shown to the user (status, error, editor). */
export interface Problem {
  property: string;
  /** The value as saved, for the message; undefined for credentials and absent values. */
  value?: string;
  why: Msg;
}

/**
 * One format upgrade: rewrites settings saved in the previous format (a copy) and the node's
 * credentials (a copy; empty for nodes without credentials) in place into the next format. What
 * the user should know about the upgrade (a value changed to keep the old behaviour) goes to
 * `note`, as a message of the `config` catalogue section (`upgraded.<key>`), shown once at start.
 */
export type Step = (c: Raw, credentials: Raw, note: (m: Msg) => void) => void;

export interface NodeSpec<P extends Props = Props> {
  type: string;
  props: P;
  /**
   * Format upgrades: steps[i] turns settings saved in format i into format i + 1 (in place). Format 0
   * is settings saved before `version` existed. The current format is steps.length.
   */
  steps: ReadonlyArray<Step>;
  /**
   * Checks across properties, run once every property is valid, on the typed settings and on the
   * saved ones with the credentials (a method: specs of any props fit NodeSpec).
   */
  checks?(c: Resolved<P>, raw: Raw): Array<Problem | undefined>;
}

/** A spec, typed by its props (so its checks see the typed settings). */
export function nodeSpec<P extends Props>(spec: NodeSpec<P>): NodeSpec<P> {
  return spec;
}

/** Step 0 → 1 of every node: settings saved before `version` existed have the keys of format 1. */
export function unversioned(): void {}

export function currentVersion(spec: { steps: ReadonlyArray<unknown> }): number {
  return spec.steps.length;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Settings upgraded to the current format, with the credentials as upgraded and what the upgrade has to say. */
export type Migrated = { ok: true; value: Raw; credentials: Raw; notes: Msg[] } | { ok: false; problems: Problem[] };

/** Upgrades saved settings and credentials (neither changed) to the current format; copies. */
export function migrate(spec: NodeSpec, saved: Raw, credentials: Raw = {}): Migrated {
  const v = saved.version;
  const from = v === undefined || v === null || v === "" ? 0 : Number(v);
  const current = currentVersion(spec);
  if (!Number.isSafeInteger(from) || from < 0) return { ok: false, problems: [{ property: "version", value: shown(v), why: { key: "version-invalid" } }] };
  if (from > current)
    return { ok: false, problems: [{ property: "version", value: shown(v), why: { key: "version-newer", params: { saved: from, current } } }] };
  const c: Raw = JSON.parse(JSON.stringify(saved)) as Raw;
  const creds: Raw = JSON.parse(JSON.stringify(credentials ?? {})) as Raw;
  const notes: Msg[] = [];
  for (let i = from; i < current; i++) spec.steps[i](c, creds, (m) => notes.push(m));
  c.version = current;
  return { ok: true, value: c, credentials: creds, notes };
}

export interface ResolveOptions {
  /** The node's credentials (Node-RED keeps them out of the flow). */
  credentials?: Raw;
  /** Environment for `${NAME}` in credentials (Node-RED substitutes the other properties itself). */
  env?: Record<string, string | undefined>;
}

/** The typed settings of migrated `c`, or every problem found (each property once). */
export function resolve<P extends Props>(spec: NodeSpec<P>, c: Raw, opts: ResolveOptions = {}): Outcome<Resolved<P>> {
  const out: Raw = { name: typeof c.name === "string" ? c.name : "", version: currentVersion(spec) };
  const problems: Problem[] = [];
  for (const [name, prop] of Object.entries(spec.props)) {
    const r = resolveProp(prop, name, c, opts);
    if ("problem" in r) problems.push(r.problem);
    else out[name] = r.value;
  }
  if (problems.length > 0) return { ok: false, problems };
  for (const p of spec.checks?.(out as Resolved<P>, { ...c, ...opts.credentials }) ?? []) if (p) problems.push(p);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out as Resolved<P> };
}

/** One property of `c` (credentials come from opts): its value, or its problem. */
export function resolveProp(prop: Prop<unknown>, name: string, c: Raw, opts: ResolveOptions = {}): { value: unknown } | { problem: Problem } {
  if (prop.when && !prop.when(c)) return { value: emptyOf(prop, c) };
  let v = prop.credential ? opts.credentials?.[name] : c[name];
  const ref = envReference(v);
  if (ref !== undefined) {
    // Node-RED replaced every set `${NAME}` of the flow's properties before the node was built;
    // credentials are ours to expand.
    const env = prop.credential ? (opts.env ?? {})[ref] : undefined;
    if (env === undefined) return { problem: { property: name, value: String(v).trim(), why: { key: "env-unset", params: { name: ref } } } };
    v = env;
  }
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "" && !prop.keepsEmpty)) {
    if (prop.required) return { problem: { property: name, why: { key: "required" } } };
    return { value: emptyOf(prop, c) };
  }
  const r = prop.rule.parse(v);
  if (r.ok) return { value: r.value };
  // Lists are named by row in the message instead of shown whole.
  return { problem: { property: name, value: prop.credential || Array.isArray(v) ? undefined : shown(v), why: r.why } };
}

function emptyOf(prop: Prop<unknown>, c: Raw): unknown {
  return typeof prop.empty === "function" ? (prop.empty as (c: Raw) => unknown)(c) : prop.empty;
}

/** A saved value as it appears in a message: at most 80 characters, control characters escaped. */
function shown(v: unknown): string {
  const t = typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
  const esc = JSON.stringify(t).slice(1, -1).replace(/\\"/g, '"');
  return esc.length > 80 ? esc.slice(0, 77) + "..." : esc;
}

/** Translation function: a `config` catalogue key and its parameters → text (RED._ or english). */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** "port "70000": must be a whole number from 1 to 65535". */
export function describe(p: Problem, t: Translate = english): string {
  const why =
    p.why.key === "list-item"
      ? t("why.list-item", { ...p.why.params, text: t(`why.${String(p.why.params?.why)}`, p.why.params) })
      : t(`why.${p.why.key}`, p.why.params);
  return p.value === undefined ? t("problem-no-value", { property: p.property, why }) : t("problem", { property: p.property, value: p.value, why });
}

/** The one error text of a node that does not start: every problem. */
export function describeAll(problems: Problem[], t: Translate = english): string {
  return t("error", { count: problems.length, list: problems.map((p) => describe(p, t)).join("; ") });
}
