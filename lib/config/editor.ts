// The edit dialogs' side of node settings, run in the browser (resources/config.js is this module
// and what it imports, built by scripts/build-editor.js): Node-RED `defaults` and `credentials`
// made from the specs, validators that give the runtime's own messages, and the upgrade of a
// node's saved settings when its dialog opens. The browser (RED, jQuery) comes in through Browser.

import { FACILITIES, SEVERITIES } from "../syslog/facility-severity";
import { STREAM_DEFAULT_MESSAGE, UDP_DEFAULT_CAP } from "../syslog/limits";
import { META_KEYS, MAPPING_SETTINGS } from "../mapping/settings";
import { english } from "./messages";
import { envReference } from "./rules";
import { SPECS } from "./index";
import { currentVersion, describe, migrate, resolve, resolveProp, type NodeSpec, type Raw, type Translate } from "./spec";

/** What this module uses of a jQuery selection. */
interface Field {
  length: number;
  val(): unknown;
  val(v: unknown): unknown;
  prop(name: string): unknown;
  prop(name: string, v: unknown): unknown;
  attr(name: string): string | undefined;
  data(key: string): unknown;
  typedInput(method: string, v?: unknown): unknown;
}

export interface Browser {
  RED: { _(key: string, params?: Record<string, string | number>): string };
  $(selector: string): Field;
  /** The id prefix of the dialog's fields when `node` is being edited (node-input, node-config-input), else undefined. */
  editing(node: Raw): string | undefined;
}

/** A Node-RED editor `defaults` entry. */
export interface EditorDefault {
  value: unknown;
  required?: boolean;
  type?: string;
  validate?: (this: Raw, v: unknown, opt?: unknown) => true | string;
}

/** The form field of a property in `node`'s open dialog, if it shows one. */
function field(b: Browser, node: Raw, name: string): Field | undefined {
  const prefix = b.editing(node);
  const f = prefix ? b.$(`#${prefix}-${name}`) : undefined;
  return f && f.length > 0 ? f : undefined;
}

function fieldValue(f: Field): unknown {
  if (f.attr("type") === "checkbox") return f.prop("checked") === true;
  if (f.data("noderedTypedInput") !== undefined) return f.typedInput("value");
  return f.val();
}

/**
 * The settings as the dialog shows them now: its fields (open() wrote the upgraded settings into
 * them), else the node's saved values upgraded as the runtime will upgrade them (an older flow
 * is judged by what it will run with).
 */
function current(b: Browser, spec: NodeSpec, node: Raw): Raw {
  if (!b.editing(node)) {
    const m = migrate(spec, node);
    return m.ok ? m.value : { ...node };
  }
  const c: Raw = { ...node };
  for (const name of Object.keys(spec.props)) {
    const f = field(b, node, name);
    if (f) c[name] = fieldValue(f);
  }
  return c;
}

/** The settings (and credential fields) of a node type as its open dialog shows them, for a request such as a test. */
export function dialogSettings(b: Browser, type: string, node: Raw): Raw {
  const spec = SPECS[type];
  const c = current(b, spec, node);
  const out: Raw = {};
  for (const name of Object.keys(spec.props)) if (c[name] !== undefined) out[name] = c[name];
  return out;
}

function translator(b: Browser, type: string): Translate {
  return (key, params) => {
    const k = `node-red-contrib-sls-syslog/${type}:config.${key}`;
    const s = b.RED._(k, params);
    return s && s !== k && s !== `config.${key}` ? s : english(key, params);
  };
}

/** true, or the runtime's message for `name` = `v` with the other settings as the dialog has them. */
export function check(b: Browser, spec: NodeSpec, name: string, v: unknown, node: Raw): true | string {
  const prop = spec.props[name];
  // `${NAME}` is for the runtime to fill in; the editor cannot know the variable.
  if (!prop || envReference(v) !== undefined) return true;
  // The saved value of a node not being edited is judged as upgraded (current() upgrades them all).
  const c = b.editing(node) || v !== node[name] ? { ...current(b, spec, node), [name]: v } : current(b, spec, node);
  const t = translator(b, spec.type);
  const own = resolveProp(prop, name, c, { credentials: c });
  if ("problem" in own) return describe(own.problem, t);
  // Checks across settings name the property they are about (e.g. TLS settings under tcp: protocol).
  const all = resolve(spec, c, { credentials: c });
  const mine = all.ok ? undefined : all.problems.find((p) => p.property === name);
  return mine ? describe(mine, t) : true;
}

/** Node-RED `defaults` of a node type: every setting with its validator, name and version. */
export function defaults(b: Browser, type: string): Record<string, EditorDefault> {
  const spec = SPECS[type];
  const out: Record<string, EditorDefault> = { name: { value: "" } };
  for (const [name, prop] of Object.entries(spec.props)) {
    if (prop.credential) continue;
    if (prop.ref) out[name] = { value: prop.default, type: prop.ref, required: prop.required && !prop.when };
    else
      out[name] = {
        value: prop.default,
        // Two parameters: Node-RED shows a returned string as the message only for (v, opt) validators.
        validate(v: unknown, _opt?: unknown) {
          return check(b, spec, name, v, this);
        },
      };
  }
  out.version = { value: currentVersion(spec) };
  return out;
}

/** Node-RED `credentials` of a node type. */
export function credentials(type: string): Record<string, { type: "text" | "password" }> {
  const out: Record<string, { type: "text" | "password" }> = {};
  for (const [name, prop] of Object.entries(SPECS[type].props)) if (prop.credential) out[name] = { type: prop.credential };
  return out;
}

/**
 * When a dialog opens: the node's saved settings upgraded to the current format, written into the
 * dialog's fields; what has no field (lists, version) is kept for save(). Returns the upgraded
 * settings (undefined when they cannot be read: saved by a newer package; the node's validators say so).
 */
export function open(b: Browser, type: string, node: Raw): Raw | undefined {
  const spec = SPECS[type];
  // Credentials as the dialog shows them (Node-RED filled their fields; a set password reads as a placeholder).
  const creds: Raw = {};
  for (const [name, prop] of Object.entries(spec.props)) {
    const f = prop.credential ? field(b, node, name) : undefined;
    if (f) creds[name] = fieldValue(f);
  }
  const m = migrate(spec, node, creds);
  if (!m.ok) return undefined;
  for (const [name, prop] of Object.entries(spec.props)) {
    const [was, now] = prop.credential ? [creds[name], m.credentials[name]] : [node[name], m.value[name]];
    if (JSON.stringify(now) === JSON.stringify(was)) continue;
    const f = field(b, node, name);
    if (!f) continue;
    if (f.attr("type") === "checkbox") f.prop("checked", now === true);
    else if (f.data("noderedTypedInput") !== undefined) f.typedInput("value", now);
    else f.val(now);
  }
  return m.value;
}

/** When a dialog is saved: what the upgrade changed outside the fields (lists, the format version). */
export function save(b: Browser, type: string, node: Raw, upgraded: Raw | undefined): void {
  if (!upgraded) return;
  const spec = SPECS[type];
  for (const name of Object.keys(spec.props))
    if (!spec.props[name].credential && !field(b, node, name) && upgraded[name] !== undefined) node[name] = upgraded[name];
  node.version = currentVersion(spec);
}

/** How the mapping dialog reads and fills its form, derived from the settings (no copy of their names). */
export function mappingForm(): { typed: string[]; checks: string[]; lists: string[]; plain: string[] } {
  const names = Object.keys(MAPPING_SETTINGS) as Array<keyof typeof MAPPING_SETTINGS>;
  const has = (n: string): boolean => (names as string[]).includes(n);
  const out = { typed: [] as string[], checks: [] as string[], lists: [] as string[], plain: [] as string[] };
  for (const n of names) {
    const d = MAPPING_SETTINGS[n].default;
    if (n.endsWith("Type") && has(n.slice(0, -4))) continue;
    if (has(`${n}Type`)) out.typed.push(n);
    else if (typeof d === "boolean") out.checks.push(n);
    else if (Array.isArray(d)) out.lists.push(n);
    else out.plain.push(n);
  }
  return out;
}

/** Lists the dialogs offer, from the library. */
export const LISTS = { FACILITIES, SEVERITIES, META_KEYS };

/** Message sizes the server dialog suggests when the protocol changes. */
export const MESSAGE_BYTES = { udp: UDP_DEFAULT_CAP, stream: STREAM_DEFAULT_MESSAGE };
