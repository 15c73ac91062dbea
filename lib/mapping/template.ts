// Template body with Node-RED's (mustache) placeholder conventions, compiled once:
//   {{field}}          the field's text (field paths as in field-path.ts: {{detail.user.name}})
//   {{{field}}} {{&field}}  the same, never escaped
//   {{@key}}           record metadata: {{@project}}, {{@logstore}}, {{@shard}}, {{@timeIso}} ...
//   {{#field}}..{{/field}}  the inner part only when the field is present and not empty/false/0
//   {{^field}}..{{/field}}  the inner part only when it is not
//   {{! comment }}     nothing
// One deliberate difference from Node-RED's template node: `{{field}}` is not HTML-escaped by
// default (syslog is not HTML; `/` in a URL would arrive as `&#x2F;`). templateEscape "html"
// restores mustache's escaping of & < > " ' / ` = for `{{field}}`.
// Missing values render as empty text; a template syntax error renders the template as literal
// text and is reported once.

import { compileRef, textOf, type RecordContext, type ValueGetter } from "./value-ref";
import type { Warnings } from "./warnings";

type Part = (ctx: RecordContext) => string;

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "/": "&#x2F;", "`": "&#x60;", "=": "&#x3D;" };
export function escapeHtml(s: string): string {
  return /[&<>"'/`=]/.test(s) ? s.replace(/[&<>"'/`=]/g, (c) => HTML[c]) : s;
}

function getterFor(name: string, warnings: Warnings): ValueGetter | undefined {
  return name.startsWith("@") ? compileRef("meta", name.slice(1), warnings, "template") : compileRef("field", name, warnings, "template");
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "" || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

interface Frame {
  name: string;
  inverted: boolean;
  parts: Part[];
}

export function compileTemplate(template: string, htmlEscape: boolean, warnings: Warnings): (ctx: RecordContext) => string {
  const root: Part[] = [];
  const stack: Frame[] = [];
  let parts = root;
  let i = 0;
  const fail = (why: string) => {
    warnings.warn("config", "template", `template: ${why}; the template is sent as literal text`);
    return () => template;
  };
  while (i < template.length) {
    const open = template.indexOf("{{", i);
    if (open < 0) {
      const lit = template.slice(i);
      parts.push(() => lit);
      break;
    }
    if (open > i) {
      const lit = template.slice(i, open);
      parts.push(() => lit);
    }
    let raw = false;
    let close: number;
    let body: string;
    if (template.startsWith("{{{", open)) {
      close = template.indexOf("}}}", open + 3);
      if (close < 0) return fail(`unclosed {{{ at ${open}`);
      body = template.slice(open + 3, close).trim();
      raw = true;
      i = close + 3;
    } else {
      close = template.indexOf("}}", open + 2);
      if (close < 0) return fail(`unclosed {{ at ${open}`);
      body = template.slice(open + 2, close).trim();
      i = close + 2;
    }
    const sigil = raw ? "" : body[0];
    if (sigil === "!") continue;
    if (sigil === "#" || sigil === "^") {
      const frame: Frame = { name: body.slice(1).trim(), inverted: sigil === "^", parts: [] };
      stack.push(frame);
      parts = frame.parts;
      continue;
    }
    if (sigil === "/") {
      const name = body.slice(1).trim();
      const frame = stack.pop();
      if (!frame || frame.name !== name) return fail(`{{/${name}}} closes ${frame ? "{{#" + frame.name + "}}" : "nothing"}`);
      parts = stack.length ? stack[stack.length - 1].parts : root;
      const get = getterFor(frame.name, warnings);
      const inner = join(frame.parts);
      const inverted = frame.inverted;
      parts.push((ctx) => (truthy(get?.(ctx)) !== inverted ? inner(ctx) : ""));
      continue;
    }
    if (sigil === "&") {
      raw = true;
      body = body.slice(1).trim();
    }
    if (body === "") return fail(`empty placeholder at ${open}`);
    const get = getterFor(body, warnings);
    if (!get) parts.push(() => "");
    else if (raw || !htmlEscape) parts.push((ctx) => textOf(get(ctx)) ?? "");
    else parts.push((ctx) => escapeHtml(textOf(get(ctx)) ?? ""));
  }
  if (stack.length) return fail(`{{#${stack[stack.length - 1].name}}} is never closed`);
  return join(root);
}

function join(parts: Part[]): Part {
  if (parts.length === 0) return () => "";
  if (parts.length === 1) return parts[0];
  return (ctx) => {
    let s = "";
    for (let k = 0; k < parts.length; k++) s += parts[k](ctx);
    return s;
  };
}
