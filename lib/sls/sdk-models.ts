// The SDK's API model classes, loaded when first used. `@alicloud/sls20201230` requires all of
// them (about 500 modules, one per request/response type of every SLS API) through one index,
// dist/models/model.js, when it is loaded; the client uses a dozen. Imported for its effect before
// the SDK: it puts a stand-in for that index in Node's module cache whose exports are getters
// that require a model's own module on first read. The SDK's client and its users see the same
// names and classes; the Node-RED process starts ~10 MB smaller (docs/performance.md, "Memory").
// If the index does not look as expected (another SDK version), nothing is changed.

import fs from "node:fs";
import Module from "node:module";
import path from "node:path";

/** Module ids of the SDK's model index and the model modules it requires, by exported name; null when not applicable. */
export function modelIndex(source: string): Map<string, { file: string; name: string }> | null {
  const vars = new Map<string, string>();
  for (const m of source.matchAll(/^var ([\w$]+) = require\("\.\/([\w$]+)"\);$/gm)) vars.set(m[1], m[2]);
  const names = new Map<string, { file: string; name: string }>();
  const getters = /^Object\.defineProperty\(exports, "([\w$]+)", \{ enumerable: true, get: function \(\) \{ return ([\w$]+)\.([\w$]+); \} \}\);$/gm;
  for (const m of source.matchAll(getters)) {
    const file = vars.get(m[2]);
    if (file === undefined) return null;
    names.set(m[1], { file, name: m[3] });
  }
  // Every require and every export accounted for, or we do not touch it.
  const requires = source.match(/require\(/g)?.length ?? 0;
  const exported = source.match(/^Object\.defineProperty\(exports, "(?!__esModule")/gm)?.length ?? 0;
  if (names.size === 0 || requires !== vars.size || exported !== names.size) return null;
  return names;
}

/** Installs the lazy index (see above) unless the SDK is loaded already or is laid out otherwise. */
export function installLazyModels(resolve: (id: string) => string = require.resolve): boolean {
  let indexFile: string;
  try {
    indexFile = path.join(path.dirname(resolve("@alicloud/sls20201230")), "models", "model.js");
  } catch {
    return false;
  }
  if (require.cache[indexFile]) return false;
  let names: ReturnType<typeof modelIndex>;
  try {
    names = modelIndex(fs.readFileSync(indexFile, "utf8"));
  } catch {
    return false;
  }
  if (!names) return false;
  const mod = new Module(indexFile);
  mod.filename = indexFile;
  const exports: Record<string, unknown> = {};
  // As TypeScript's own output marks it: the SDK's __importStar then uses this object as it is,
  // and its __exportStar copies the getters themselves, so nothing is read before it is used.
  Object.defineProperty(exports, "__esModule", { value: true });
  for (const [exported, { file, name }] of names) {
    Object.defineProperty(exports, exported, {
      enumerable: true,
      configurable: true,
      // Required as the real index would: relative to it, with it as the parent.
      get: () => (mod.require(`./${file}`) as Record<string, unknown>)[name],
    });
  }
  mod.exports = exports;
  mod.loaded = true;
  require.cache[indexFile] = mod;
  return true;
}

installLazyModels();
