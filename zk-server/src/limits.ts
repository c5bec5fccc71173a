// Named limits of the ZooKeeper server, with Apache ZooKeeper's defaults.

/** jute.maxbuffer: the largest frame payload accepted from a client (0xfffff). */
export const JUTE_MAX_BUFFER_BYTES = 0xfffff;
/** maxClientCnxns default: concurrent connections per client IP address (0 = unlimited). */
export const MAX_CLIENT_CNXNS_DEFAULT = 60;
/** A connection that has not completed its handshake in this time is closed (zookeeper.nio.sessionlessCnxnTimeout). */
export const SESSIONLESS_CNXN_TIMEOUT_MS = 10_000;
/** globalOutstandingLimit default: above this many requests in flight the server stops reading sockets. */
export const GLOBAL_OUTSTANDING_LIMIT = 1000;
/** Outbound bytes queued on one connection before it stops reading from that client. */
export const CONNECTION_OUTBOUND_BYTES_MAX = 8 * 1024 * 1024;
/** snapCount default: transactions between snapshots (randomised between half and all of it). */
export const SNAP_COUNT_DEFAULT = 100_000;
/** preAllocSize default, in KiB: the transaction log grows in zero-filled steps of this size. */
export const PRE_ALLOC_SIZE_KB_DEFAULT = 65_536;
/** The session password length in bytes. */
export const SESSION_PASSWORD_BYTES = 16;
/** znode.container.checkIntervalMs default. */
export const CONTAINER_CHECK_INTERVAL_MS = 60_000;
/** znode.container.maxPerMinute default. */
export const CONTAINER_DELETIONS_PER_MINUTE_MAX = 10_000;
/** Largest TTL a TTL node may have: 2^40 - 1 ms (EphemeralType.MAX_EXTENDED_SERVER_ID bits). */
export const TTL_MS_MAX = 2n ** 40n - 1n;
/** The ZooKeeper version we report (four-letter words, envi). */
export const ZOOKEEPER_VERSION = '3.8.0';
