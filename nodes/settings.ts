// Every node starts through here: its saved settings are upgraded (migrate) and checked (resolve)
// against its spec in lib/config. A node with a problem does not start: red status naming the
// first property, one error listing every problem (property, value, what is allowed), and
// nothing running. If it sits in a flow, it holds the delivery tokens it receives until it closes,
// so the logs are read again after the fix instead of expiring as "handled by the flow".

import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { describeAll, english, migrate, resolve, type NodeSpec, type Problem, type Props, type Raw, type Resolved, type Translate } from "../lib/config";
import { ClaimHolder } from "../lib/delivery";

/** Config nodes whose settings were refused: their users do not start either. */
const refused = new WeakSet<Node>();

/** RED._ on the `config` section of the node's catalogue; English when the catalogue lacks the key. */
function translator(RED: NodeAPI): Translate {
  return (key, params) => {
    const k = `config.${key}`;
    const s = RED._(k, params);
    return s === k || !s ? english(key, params) : s;
  };
}

/**
 * The node's settings, upgraded and checked; undefined when it must not start (status and error
 * are then done). `credentials` are the node's own (config nodes); `refs` names the config node
 * each reference property must point at: a missing or refused one is a problem too.
 */
export function startSettings<P extends Props>(RED: NodeAPI, node: Node, spec: NodeSpec<P>, def: NodeDef, credentials?: object): Resolved<P> | undefined {
  const migrated = migrate(spec, def as unknown as Raw, credentials as Raw | undefined);
  const r = migrated.ok ? resolve(spec, migrated.value, { credentials: credentials ? migrated.credentials : undefined, env: process.env }) : migrated;
  const problems = r.ok ? refProblems(RED, spec, r.value) : r.problems;
  if (problems.length === 0 && r.ok) {
    // What an upgrade of older settings changed to keep their behaviour (e.g. a timeout raised), said once.
    if (migrated.ok) for (const n of migrated.notes) node.warn(translator(RED)(`upgraded.${n.key}`, n.params));
    return r.value;
  }
  refuse(RED, node, problems);
  return undefined;
}

/** Reference properties (spec `ref`) pointing at no deployed node of their type, or at one that was refused. */
function refProblems(RED: NodeAPI, spec: NodeSpec, c: Raw): Problem[] {
  const out: Problem[] = [];
  for (const [name, prop] of Object.entries(spec.props)) {
    if (!prop.ref || typeof c[name] !== "string") continue;
    const target = RED.nodes.getNode(c[name] as string);
    if (!target || target.type !== prop.ref) out.push({ property: name, value: c[name] as string, why: { key: "ref-missing", params: { type: prop.ref } } });
    else if (refused.has(target))
      out.push({ property: name, value: c[name] as string, why: { key: "ref-invalid", params: { type: prop.ref, name: target.name || target.id } } });
  }
  return out;
}

/** Marks the node as not started: red status naming the first property, one error with every problem. */
export function refuse(RED: NodeAPI, node: Node, problems: Problem[]): void {
  const t = translator(RED);
  refused.add(node);
  node.status({ fill: "red", shape: "ring", text: t("status", { property: problems[0]?.property ?? "?" }) });
  node.error(describeAll(problems, t));
}

/**
 * For a flow node that did not start: claims and holds the token of every message it receives
 * (never settled), gives them all back when it closes. Messages without a token are dropped: the
 * error at start already says why.
 */
export function holdInput(node: Node): void {
  const holder = new ClaimHolder();
  node.on("input", (msg: NodeMessageInFlow) => {
    holder.hold((msg as { sls?: { token?: unknown } }).sls?.token);
  });
  node.on("close", (done: () => void) => {
    holder.releaseAll();
    done();
  });
}
