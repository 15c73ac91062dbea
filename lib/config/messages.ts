// English texts of the `config` section of every node's message catalogue. The build writes this
// section into each nodes/locales/en-US/<type>.json it copies (scripts/copy-assets.js), so the
// runtime (RED._("config.…")) and the editor show the same words; tests render them with english().
// Parameters are written `__name__`, as everywhere in Node-RED catalogues.

export const CONFIG_MESSAGES = {
  /** One line per problem: the property, the value as saved, what is allowed. */
  problem: '__property__ "__value__": __why__',
  "problem-no-value": "__property__: __why__",
  /** The one error a node that does not start reports. */
  error: "not started, __count__ invalid setting(s): __list__",
  status: "invalid __property__",
  /** Said once at start when saved settings were upgraded to a value other than the one saved (to keep what they did). */
  upgraded: {
    "timeout-raised":
      "timeout __saved__ s is shorter than two heartbeats (__heartbeat__ s each): using __timeout__ s, as before; save the node in its dialog to keep this value",
  },
  why: {
    required: "required",
    "required-field": "__field__ is required",
    "env-unset": "environment variable __name__ is not set",
    int: "must be a whole number from __min__ to __max__",
    decimal: "must be a number from __min__ to __max__",
    "one-of": "must be one of __values__",
    text: "must be text",
    "max-length": "must be at most __max__ characters",
    pattern: "must match __pattern__",
    bool: "must be true or false",
    list: "must be a list",
    "list-item": "row __row__: __text__",
    detail: "__text__",
    "version-invalid": "must be a whole number (the settings' format version)",
    "version-newer": "saved by a newer version of this package (format __saved__; this one reads up to __current__): upgrade the package",
    "ref-missing": "no __type__ node with this id (deleted, disabled or not deployed)",
    "ref-invalid": "__type__ __name__ has invalid settings (see its error)",
    "start-time": "must be an ISO 8601 time such as 2026-11-28T00:00:00Z (no zone = UTC) or unix seconds",
    "end-after-start": "must be after the start time (a range from the start time up to, not including, this time)",
    "timeout-heartbeats": "must be at least twice the heartbeat (__min__ s), or SLS hands the shards to another consumer between two heartbeats",
    "consumer-name": "only letters, digits, _ . and - (SLS puts it in the request URL)",
    "no-space": "must not contain spaces or control characters",
    endpoint: "must be a host name or an http:// or https:// URL without path",
    "sts-endpoint": "must be a host name or an https:// URL without path (http:// only to a loopback address)",
    "role-arn": "must be a RAM role ARN: acs:ram::<account id>:role/<role name>",
    "oidc-provider-arn": "must be an OIDC provider ARN: acs:ram::<account id>:oidc-provider/<name>",
    "role-session-name": "2 to 64 letters, digits and . @ - _",
    json: "must be JSON",
    "time-zone": "must be UTC, an offset such as +08:00, or a time zone name such as Asia/Shanghai",
    "header-ascii": "printable US-ASCII without spaces, at most __max__ characters (RFC 5424 header field)",
    facility: "0-23 or a facility name (__names__)",
    severity: "0-7 or a severity name (__names__)",
    "tls-only": "TLS settings (__props__) are set but protocol __protocol__ does not use TLS: choose TLS, or clear them",
    "cert-key": "a client certificate needs its key, and a key its certificate",
    target: "each target needs a host (no spaces); its port is 1-65535, or empty for the first target's",
    "message-bytes": "must be 0 (no limit) or a whole number from __min__ to __max__",
    "sd-id": "must be name@<enterprise number> (e.g. sls@32473) or timeQuality, origin, meta",
    "meta-key": "must be one of __values__",
    "field-path": "a field path is required",
    "value-type": "must be one of __values__",
    mapping: "__text__",
    "metrics-path": "must be a path such as /metrics: a / then letters, digits and - _ . ~ /",
    "stats-interval": "must be 0 (only on input) or at least 1 second",
  },
} as const;

/** A message catalogue (or a section of one): texts by dotted key. */
export type Catalogue = { readonly [k: string]: string | Catalogue };

/** The text of `key` ("why.int") in `catalogue` with its `__name__` parameters filled in; the key itself if there is none. */
export function render(catalogue: Catalogue, key: string, params: Record<string, string | number> = {}): string {
  let node: string | Catalogue | undefined = catalogue;
  for (const part of key.split(".")) node = typeof node === "object" ? node[part] : undefined;
  if (typeof node !== "string") return key;
  return node.replace(/__(\w+)__/g, (m, name: string) => (params[name] !== undefined ? String(params[name]) : m));
}

/** The English text of a `config` key (`why.int`, `error`, ...) with its parameters filled in. */
export function english(key: string, params: Record<string, string | number> = {}): string {
  return render(CONFIG_MESSAGES, key, params);
}
