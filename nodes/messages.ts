// Runtime texts of our nodes (status, log, errors) come from their message catalogues,
// nodes/locales/<lang>/<type>.json, as Node-RED's own nodes' do:
// - a status text without parameters is its key (e.g. "sls-consumer.status.joining"): the editor
//   translates it into the language of whoever looks at the flow;
// - a text with parameters, and every log line and error, is rendered here with RED._ (the
//   runtime's language). When Node-RED has no text for the key (node-red-node-test-helper's RED._
//   returns the key itself), the English of the en-US catalogue is used.
import fs from "node:fs";
import path from "node:path";
import type { NodeAPI } from "node-red";
import { render, type Catalogue } from "../lib/config/messages";

export type Params = Record<string, string | number>;

/** A catalogue text: its key (from the catalogue's root, e.g. "sls-consumer.status.waiting") and parameters. */
export interface Text {
  key: string;
  params?: Params;
}

/** `key` of the catalogue (root key included) → text with its parameters filled in. */
export type Translate = (key: string, params?: Params) => string;

const englishCatalogues = new Map<string, Catalogue>();

/** The en-US catalogue of a node type as the build copied it beside this file ({} if absent). */
function englishCatalogue(type: string): Catalogue {
  let c = englishCatalogues.get(type);
  if (!c) {
    try {
      c = JSON.parse(fs.readFileSync(path.join(__dirname, "locales", "en-US", `${type}.json`), "utf8")) as Catalogue;
    } catch {
      c = {};
    }
    englishCatalogues.set(type, c);
  }
  return c;
}

/** The English text of `key` in `type`'s catalogue, parameters filled in (Node-RED's `__name__`); the key if there is none. */
export function english(type: string, key: string, params: Params = {}): string {
  return render(englishCatalogue(type), key, params);
}

/** Texts of the catalogue of node type `type` (keys from its root: "<type>.…", "config.…"). */
export function catalogue(RED: NodeAPI, type: string): Translate {
  return (key, params) => {
    const s = RED._(key, params);
    return s && s !== key ? s : english(type, key, params);
  };
}

/** Texts joined as one status line ("120/s · q 3 · → host:514"). */
export function joined(t: Translate, parts: Text[]): string {
  return parts.map((p) => t(p.key, p.params)).join(" · ");
}
