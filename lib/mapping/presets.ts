// Presets: complete starting points for common receivers. Choosing a preset in the editor fills
// the form with these values (over the defaults); what is saved and run is the form, so a preset
// is never applied behind the user's back.

import { mappingDefaults, type MappingSettings } from "./settings";
import type { MappingConfig } from "./types";

export interface Preset {
  label: string;
  description: string;
  config: MappingConfig;
}

/** Everything a preset does not set takes these values (the node's editor defaults). */
export const BASE_CONFIG: MappingSettings = mappingDefaults();

export const PRESETS: Record<string, Preset> = {
  recipe: {
    label: "Original recipe (||k=v)",
    description:
      "Byte-for-byte the body of Alibaba's SLS-to-syslog sample: ||key=value for every field except __time__, SLS fields first as the Python SDK orders them, no escaping.",
    config: {
      format: "kv",
      kvSeparator: "||",
      kvEscape: "none",
      kvLeadingSeparator: true,
      kvOrder: "sls-first",
      keepInternal: true,
      fieldRules: [{ action: "exclude", pattern: "__time__" }],
    },
  },
  rfc5424: {
    label: "Generic RFC 5424",
    description: "JSON body with sorted keys; provenance and a dedup key (project, logstore, shard, cursor, idx) in structured data; PROCID = shard.",
    config: { format: "json", procId: "shard", procIdType: "meta", sdEnabled: true, sdDedup: true },
  },
  "splunk-json": {
    label: "Splunk (JSON)",
    description: "JSON body (fields holding JSON text embedded as objects) for Splunk's JSON extraction or SC4S.",
    config: { format: "json", jsonExpand: true },
  },
  "splunk-kv": {
    label: "Splunk (key=value)",
    description: "Space-separated key=value with double quotes around values that need them: Splunk's automatic key-value extraction reads it as is.",
    config: { format: "kv", kvSeparator: " ", kvEscape: "quote", kvLeadingSeparator: false },
  },
  "qradar-leef": {
    label: "IBM QRadar (LEEF 2.0)",
    description:
      "LEEF 2.0 with ^ as delimiter, EventID = logstore, cat = topic, devTime with devTimeFormat, sev from the severity, src = client IP tag, all fields as attributes.",
    config: {
      format: "leef",
      leefVersion: "2.0",
      leefDelimiter: "^",
      leefDevTime: "iso",
      attributes: [
        { key: "cat", type: "meta", value: "topic" },
        { key: "src", type: "field", value: "__tag__:__client_ip__" },
      ],
    },
  },
  "arcsight-cef": {
    label: "ArcSight (CEF)",
    description: "CEF:0, Signature ID = logstore, rt = event time (epoch ms), cs1/cs2 = project/logstore, src = client IP tag, all fields as extensions.",
    config: {
      format: "cef",
      attributes: [
        { key: "rt", type: "meta", value: "timeMs" },
        { key: "src", type: "field", value: "__tag__:__client_ip__" },
        { key: "cs1Label", type: "str", value: "project" },
        { key: "cs1", type: "meta", value: "project" },
        { key: "cs2Label", type: "str", value: "logstore" },
        { key: "cs2", type: "meta", value: "logstore" },
      ],
    },
  },
};

/** The full settings of a preset (base values overlaid with the preset's). */
export function presetConfig(name: string): MappingConfig | undefined {
  const p = PRESETS[name];
  return p ? { ...BASE_CONFIG, ...structuredClone(p.config), preset: name } : undefined;
}
