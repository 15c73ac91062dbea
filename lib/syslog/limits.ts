// Message size limits, shared by the sender (lib/syslog) and the node settings (lib/config). No
// Node.js imports here: lib/config is bundled into the editor (scripts/build-editor.js).

/** Default datagram cap: below a 1500-byte Ethernet MTU so nothing is IP-fragmented. */
export const UDP_DEFAULT_CAP = 1400;
/** Largest UDP payload (65 535 − 8 UDP − 20 IP header bytes). */
export const UDP_MAX_MESSAGE = 65_507;
/** Default message size on a stream (TCP, TLS, RELP): rsyslog's default maxMessageSize. */
export const STREAM_DEFAULT_MESSAGE = 8192;
/** Largest stream message we frame (RFC 6587 puts no limit; 16 MiB is far beyond any SIEM's). */
export const STREAM_MAX_MESSAGE = 16 * 1024 * 1024;
