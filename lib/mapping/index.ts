// Public surface of the mapping engine (no Node-RED imports anywhere under lib/mapping).
export { compileMapper, kvSeparatorProblem, type Mapper } from "./mapper";
export { BASE_CONFIG, PRESETS, presetConfig, type Preset } from "./presets";
export { META_KEYS } from "./value-ref";
export { DEFAULT_SD_ID } from "./structured-data";
export type * from "./types";
export { previewMapping, EXAMPLE_META, type PreviewResult, type OutSettings } from "./preview";
