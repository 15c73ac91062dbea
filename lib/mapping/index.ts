// Public surface of the mapping engine (no Node-RED imports anywhere under lib/mapping).
export { compileMapper, type Mapper } from "./mapper";
export { kvSeparatorProblem, MAPPING_SETTINGS, META_KEYS, type MappingSettings } from "./settings";
export { BASE_CONFIG, PRESETS, presetConfig, type Preset } from "./presets";
export { DEFAULT_SD_ID } from "./structured-data";
export type * from "./types";
export { previewMapping, EXAMPLE_META, type PreviewResult, type OutSettings } from "./preview";
