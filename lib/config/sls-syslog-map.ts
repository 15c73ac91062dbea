// sls-syslog-map: the mapping settings (lib/mapping/settings.ts) and the checks across them.

import { facilityCode, severityCode, FACILITIES, SEVERITIES } from "../syslog/facility-severity";
import { MAPPING_SETTINGS, refValueProblem } from "../mapping/settings";
import { text } from "./rules";
import { nodeSpec, optional, unversioned, type Problem, type Raw } from "./spec";

/** Value references: `<name>` read as `<name>Type` says, checked when the setting applies. */
const REFS = ["hostname", "appName", "procId", "msgId", "vendor", "product", "productVersion", "eventId", "eventName", "cefSeverity"] as const;

function shown(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "");
}

export const SLS_SYSLOG_MAP = nodeSpec({
  type: "sls-syslog-map",
  props: {
    /** The preset last applied in the dialog (informative: what runs is the settings). */
    preset: optional(text(), "", ""),
    ...MAPPING_SETTINGS,
  },
  steps: [unversioned],
  checks: (_c, raw) => {
    const out: Array<Problem | undefined> = [];
    const when = (k: keyof typeof MAPPING_SETTINGS): boolean => MAPPING_SETTINGS[k].when?.(raw) ?? true;
    const val = (k: keyof typeof MAPPING_SETTINGS): unknown => raw[k] ?? MAPPING_SETTINGS[k].default;
    for (const k of REFS) {
      if (!when(k)) continue;
      const p = refValueProblem(val(`${k}Type`), val(k));
      if (p) out.push({ property: k, value: shown(val(k)), why: p.why });
    }
    for (const [k, code, names, key] of [
      ["facility", facilityCode, FACILITIES, "facility"],
      ["severity", severityCode, SEVERITIES, "severity"],
    ] as const) {
      const v = val(k);
      if (val(`${k}Type`) === "field") {
        if (typeof v !== "string" || v.trim() === "") out.push({ property: k, value: shown(v), why: { key: "field-path" } });
      } else if (!(k === "severity" && v === "") && code(v) === null)
        out.push({ property: k, value: shown(v), why: { key, params: { names: names.join(", ") } } });
    }
    if (when("timestampField") && String(val("timestampField")).trim() === "") out.push({ property: "timestampField", why: { key: "field-path" } });
    if (when("bodyField") && String(val("bodyField")).trim() === "") out.push({ property: "bodyField", why: { key: "field-path" } });
    return out;
  },
});

export type { Raw };
