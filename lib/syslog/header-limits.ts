// Length caps of the RFC 5424 header fields (§6.2.4-6.2.7): what the formatter cuts to, and what
// sls-syslog-out's settings may hold (lib/config, also run by the editor: no Node.js here).
export const HEADER_LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const;
