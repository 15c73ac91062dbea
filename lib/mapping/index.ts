// Public surface of the mapping engine (no Node-RED imports anywhere under lib/mapping): what the
// node, the tests and the benches use. Modules inside lib/ import from the module that defines a name.
export { compileMapper } from "./mapper";
export { MAPPING_SETTINGS } from "./settings";
export { BASE_CONFIG, PRESETS, presetConfig } from "./presets";
export type * from "./types";
export { previewMapping, type OutSettings } from "./preview";
