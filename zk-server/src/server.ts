// Composition root of the ZooKeeper server: config -> database -> request chain -> client listener,
// plus the timers that drive session expiry and the container/TTL sweeper. Returns a handle to stop
// everything it started.

import { Logger, SystemClock, seededRng } from '../../shared/src';
import { ZooConfig } from './config/zoo-config';
import { ZooKeeperServer } from './zookeeper-server';
import { ClientListener } from './network/client-listener';
import { FourLetterSource, ConnectionInfo } from './protocol/four-letter';
import { Op } from './protocol/op-codes';
import { NodeKind, ttlOfOwner } from './data/data-node';
import { ZOOKEEPER_VERSION } from './limits';
import { NodeStorage } from './persistence/storage';
import { FileTxnSnapLog } from './persistence/file-txn-snap-log';
import { startAutopurge } from './persistence/purge';
import { dataDirSizes, restoreInto, snapshotSourceOf } from './persistence/zk-database';
import { RoleInfo } from './quorum/core/ready';
import { QuorumPeer } from './quorum/quorum-peer';
import { membershipText, peerAddressesOf, peerRuntimeOptionsOf } from './quorum/quorum-config';
import { FsPeerStorage } from './quorum/runtime/fs-peer-storage';
import { NetPeerTransport } from './quorum/runtime/net-peer-transport';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly zk: ZooKeeperServer;
  stop(): Promise<void>;
}

export interface StartOptions {
  dirSizes?: () => { datadir: number; logdir: number };
}

/** Opens the data directory: restores the newest snapshot and the log after it, then snapshots. */
async function openDatabase(
  config: ZooConfig,
  logger: Logger,
  onDurabilityLost: (e: Error) => void,
): Promise<{ zk: ZooKeeperServer; snapLog: FileTxnSnapLog }> {
  const persistenceLogger = logger.child({ component: 'persistence' });
  const { snapLog, restored } = await FileTxnSnapLog.open(
    new NodeStorage(),
    {
      dataDir: config.dataDir,
      dataLogDir: config.dataLogDir === config.dataDir ? null : config.dataLogDir,
      snapCount: config.snapCount,
      preAllocSizeKiB: config.preAllocSizeKb,
      forceSync: config.forceSync,
    },
    seededRng(Date.now()),
    persistenceLogger,
  );
  const takeSnapshot = (): void => {
    snapLog.snapshot(snapshotSourceOf(zk)).catch((e: unknown) => persistenceLogger.error(`snapshot failed: ${String(e)}`));
  };
  const zk = new ZooKeeperServer(
    {
      serverId: config.serverId === 0 ? 1 : config.serverId,
      tickTimeMs: config.tickTimeMs,
      nowMs: () => Date.now(),
      extendedTypesEnabled: config.extendedTypesEnabled,
      reconfigEnabled: config.reconfigEnabled,
      superDigest: config.superDigest,
      onSnapshotDue: takeSnapshot,
      onDurabilityLost,
    },
    logger.child({ component: 'server' }),
    snapLog,
  );
  const replayed = restoreInto(zk, restored, persistenceLogger);
  zk.resetZxidAfterRestore();
  // a snapshot at the restored zxid, as upstream takes on every start (snapshot.0 for a new
  // directory); skipped when the newest snapshot already is exactly that state
  if (restored.snapshot === null || replayed > 0) await snapLog.snapshot(snapshotSourceOf(zk));
  return { zk, snapLog };
}

/** True when zoo.cfg describes an ensemble this server is a member of. */
export function isEnsembleMember(config: ZooConfig): boolean {
  return config.serverId !== 0;
}

export async function startServer(config: ZooConfig, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  if (isEnsembleMember(config)) return startEnsembleMember(config, logger, options);
  let listener: ClientListener | null = null;
  // a server that cannot make writes durable stops serving, so clients go elsewhere or fail fast
  const stopServing = (): void => {
    logger.error('closing the client port: the transaction log failed');
    void listener?.close();
  };
  const { zk, snapLog } = await openDatabase(config, logger, stopServing);
  const stopAutopurge = startAutopurge({
    clock: new SystemClock(),
    purgeIntervalHours: config.autopurgePurgeIntervalHours,
    purge: () => snapLog.purge(config.autopurgeSnapRetainCount),
    logger: logger.child({ component: 'autopurge' }),
  });
  const dirSizes = options.dirSizes ?? (() => dataDirSizes(config.dataDir, config.dataLogDir));
  const source = fourLetterSource(config, zk, () => listener, { dirSizes }, STANDALONE_ROLE);
  listener = newClientListener(config, zk, source, logger);
  const bound = await listener.listen();
  logger.info(`listening for clients on ${bound.host}:${bound.port}`);
  const expiryTimer = setInterval(() => zk.expireSessions(), Math.max(1, Math.floor(config.tickTimeMs / 2)));
  const sweepTimer = setInterval(() => sweepContainers(zk, config), config.containerCheckIntervalMs);
  return {
    host: bound.host,
    port: bound.port,
    zk,
    async stop() {
      clearInterval(expiryTimer);
      clearInterval(sweepTimer);
      stopAutopurge();
      await listener!.close();
      await snapLog.close();
    },
  };
}

/**
 * An ensemble member: the quorum peer (election and quorum ports, its log and epoch files) under
 * the same client port and four-letter words as a standalone server. Sessions expire and
 * containers are swept on the serving leader only: their deletions are txns like any other.
 */
async function startEnsembleMember(config: ZooConfig, logger: Logger, options: StartOptions): Promise<RunningServer> {
  const storage = await FsPeerStorage.open(
    {
      dataDir: config.dataDir,
      dataLogDir: config.dataLogDir === config.dataDir ? null : config.dataLogDir,
      snapCount: config.snapCount,
      preAllocSizeKiB: config.preAllocSizeKb,
      forceSync: config.forceSync,
    },
    logger.child({ component: 'persistence' }),
  );
  let listener: ClientListener | null = null;
  const zk = new ZooKeeperServer(
    {
      serverId: config.serverId,
      tickTimeMs: config.tickTimeMs,
      nowMs: () => Date.now(),
      extendedTypesEnabled: config.extendedTypesEnabled,
      reconfigEnabled: config.reconfigEnabled,
      superDigest: config.superDigest,
    },
    logger.child({ component: 'server' }),
  );
  const transport = new NetPeerTransport(config.serverId, peerAddressesOf(config), logger.child({ component: 'quorum-net' }));
  await transport.start();
  const peer = new QuorumPeer(zk, peerRuntimeOptionsOf(config), transport, storage, new SystemClock(), logger.child({ component: 'quorum' }), {
    onServing: (serving, role) => {
      if (serving) logger.info(`serving clients as ${modeOf(role)} in epoch ${role.epoch}`);
      else {
        logger.info(`not serving clients: ${role.role}`);
        listener?.closeAll('the server left the quorum');
      }
    },
    onFatal: (error) => {
      logger.error(`cannot make the log durable, leaving the ensemble: ${error.message}`);
      void listener?.close();
    },
  });
  peer.start();
  const stopAutopurge = startAutopurge({
    clock: new SystemClock(),
    purgeIntervalHours: config.autopurgePurgeIntervalHours,
    purge: () => storage.purge(config.autopurgeSnapRetainCount),
    logger: logger.child({ component: 'autopurge' }),
  });
  const dirSizes = options.dirSizes ?? (() => dataDirSizes(config.dataDir, config.dataLogDir));
  const source = fourLetterSource(config, zk, () => listener, { dirSizes }, {
    mode: () => (peer.roleInfo.serving ? modeOf(peer.roleInfo) : 'standalone'),
    mntr: () => quorumMntr(peer),
    configTail: () => quorumConfText(config),
  });
  listener = newClientListener(config, zk, source, logger);
  const bound = await listener.listen();
  logger.info(`listening for clients on ${bound.host}:${bound.port}`);
  const expiryTimer = setInterval(() => {
    if (peer.isServingLeader) zk.expireSessions();
  }, Math.max(1, Math.floor(config.tickTimeMs / 2)));
  const sweepTimer = setInterval(() => {
    if (peer.isServingLeader) sweepContainers(zk, config);
  }, config.containerCheckIntervalMs);
  return {
    host: bound.host,
    port: bound.port,
    zk,
    async stop() {
      clearInterval(expiryTimer);
      clearInterval(sweepTimer);
      stopAutopurge();
      peer.stop();
      await listener!.close();
      await storage.close();
    },
  };
}

/** How an ensemble member reports itself in srvr, stat and mntr. */
function modeOf(role: RoleInfo): 'leader' | 'follower' | 'observer' {
  if (role.role === 'leading') return 'leader';
  return role.role === 'observing' ? 'observer' : 'follower';
}

/** mntr lines only ensemble members have, as upstream 3.8 prints them. */
function quorumMntr(peer: QuorumPeer): Array<[string, string | number]> {
  const status = peer.status();
  const lines: Array<[string, string | number]> = [['zk_peer_state', `${status.role} - ${status.phase}`]];
  if (status.learners !== null) {
    const l = status.learners;
    lines.push(
      ['zk_learners', l.followers + l.observers],
      ['zk_synced_followers', l.syncedFollowers],
      ['zk_synced_non_voting_followers', 0],
      ['zk_synced_observers', l.syncedObservers],
      ['zk_pending_syncs', 0],
    );
  }
  return lines;
}

interface RoleReport {
  mode(): FourLetterSource['mode'];
  mntr(): Array<[string, string | number]>;
  configTail(): string;
}

const STANDALONE_ROLE: RoleReport = { mode: () => 'standalone', mntr: () => [], configTail: () => '' };

/** The quorum part of `conf`, as upstream's QuorumPeer prints it (electionAlg 3 is fast leader election). */
function quorumConfText(config: ZooConfig): string {
  const self = config.servers.find((s) => s.id === config.serverId)!;
  return (
    `initLimit=${config.initLimit}\nsyncLimit=${config.syncLimit}\nelectionAlg=3\n` +
    `electionPort=${self.electionPort}\nquorumPort=${self.quorumPort}\npeerType=${self.role === 'observer' ? 1 : 0}\n` +
    `membership: \n${membershipText(config)}\n`
  );
}

function newClientListener(config: ZooConfig, zk: ZooKeeperServer, source: FourLetterSource, logger: Logger): ClientListener {
  return new ClientListener(
    zk,
    {
      host: config.clientPortAddress,
      port: config.clientPort,
      maxClientCnxns: config.maxClientCnxns,
      fourLetterWords: config.fourLetterWords,
      minSessionTimeoutMs: config.minSessionTimeoutMs,
      maxSessionTimeoutMs: config.maxSessionTimeoutMs,
      frameBytesMax: config.juteMaxBufferBytes,
      superDigest: config.superDigest,
    },
    source,
    logger.child({ component: 'connection' }),
  );
}

/** ContainerManager: deletes empty used containers and expired empty TTL nodes, a bounded number per pass. */
function sweepContainers(zk: ZooKeeperServer, config: ZooConfig): void {
  const perPass = Math.max(1, Math.floor((config.containerDeletionsPerMinute * config.containerCheckIntervalMs) / 60_000));
  const now = BigInt(Date.now());
  const candidates: string[] = [];
  for (const path of [...zk.tree.containers, ...zk.tree.ttls]) {
    const node = zk.tree.getNode(path);
    if (node === undefined || node.numChildren > 0) continue;
    if (node.kind === NodeKind.Container && node.cversion > 0) candidates.push(path);
    if (node.kind === NodeKind.Ttl && now - node.mtime > ttlOfOwner(node.ephemeralOwner)) candidates.push(path);
    if (candidates.length >= perPass) break;
  }
  for (const path of candidates) {
    zk.submit({ sessionId: 0n, cxid: 0, type: Op.deleteContainer, body: Buffer.from(path, 'utf8'), authInfo: [] }, null);
  }
}

function connectionInfos(listener: ClientListener | null): ConnectionInfo[] {
  if (listener === null) return [];
  return [...listener.connections].map((c) => ({
    address: c.remoteAddress,
    port: c.remotePort,
    queued: c.queuedReplies,
    received: c.packetsReceived,
    sent: c.packetsSent,
    sessionId: c.sessionId,
    lastOp: c.lastOp,
    establishedAtMs: c.establishedAtMs,
    timeoutMs: c.sessionTimeoutMs,
    lastCxid: c.lastCxid,
    lastZxid: c.lastZxid,
    lastLatencyMs: c.lastLatencyMs,
  }));
}

function fourLetterSource(
  config: ZooConfig,
  zk: ZooKeeperServer,
  listener: () => ClientListener | null,
  options: StartOptions,
  role: RoleReport,
): FourLetterSource {
  const dirSizes = options.dirSizes ?? (() => ({ datadir: 0, logdir: 0 }));
  const sessionOf = (w: unknown): bigint => (w as { sessionId: bigint }).sessionId;
  return {
    get mode() {
      return role.mode();
    },
    startedAtMs: zk.stats.startedAtMs,
    isServing: () => zk.isServing,
    lastZxid: () => zk.lastZxid,
    nodeCount: () => zk.tree.nodeCount,
    stats: () => ({
      packetsReceived: zk.stats.packetsReceived,
      packetsSent: zk.stats.packetsSent,
      minLatencyMs: zk.stats.minLatencyReported,
      avgLatencyMs: zk.stats.avgLatencyMs,
      maxLatencyMs: zk.stats.maxLatencyMs,
    }),
    resetStats: () => zk.stats.reset(),
    resetConnectionStats: () => {
      for (const c of listener()?.connections ?? []) {
        c.packetsReceived = 0;
        c.packetsSent = 0;
      }
    },
    connections: () => connectionInfos(listener()),
    outstanding: () => zk.outstanding,
    watchSummary: () => {
      const watchers = new Set([...zk.watches.data.byWatcher().keys(), ...zk.watches.child.byWatcher().keys()]);
      const paths = new Set([...zk.watches.data.byPath().keys(), ...zk.watches.child.byPath().keys()]);
      return { connections: watchers.size, paths: paths.size, total: zk.watches.count };
    },
    watchesByConnection: () => {
      const out = new Map<bigint, string[]>();
      for (const manager of [zk.watches.data, zk.watches.child]) {
        for (const [w, paths] of manager.byWatcher()) {
          const list = out.get(sessionOf(w)) ?? [];
          for (const p of paths) if (!list.includes(p)) list.push(p);
          out.set(sessionOf(w), list);
        }
      }
      return out;
    },
    watchesByPath: () => {
      const out = new Map<string, bigint[]>();
      for (const manager of [zk.watches.data, zk.watches.child]) {
        for (const [path, watchers] of manager.byPath()) {
          const list = out.get(path) ?? [];
          for (const w of watchers.keys()) if (!list.includes(sessionOf(w))) list.push(sessionOf(w));
          out.set(path, list);
        }
      }
      return out;
    },
    sessionDump: () => sessionDump(zk, listener()),
    config: () => ({
      clientPort: config.clientPort,
      secureClientPort: -1,
      dataDir: `${config.dataDir}/version-2`,
      dataDirSize: dirSizes().datadir,
      dataLogDir: `${config.dataLogDir}/version-2`,
      dataLogSize: dirSizes().logdir,
      tickTime: config.tickTimeMs,
      maxClientCnxns: config.maxClientCnxns,
      minSessionTimeout: config.minSessionTimeoutMs,
      maxSessionTimeout: config.maxSessionTimeoutMs,
      clientPortListenBacklog: -1,
      serverId: config.serverId,
    }),
    dirSizes,
    configTail: () => role.configTail(),
    mntr: () => {
      const s = zk.stats;
      const conns = listener()?.connections.size ?? 0;
      return [
        ['zk_version', `${ZOOKEEPER_VERSION}-zk-kafka`],
        ['zk_server_state', role.mode()],
        ['zk_avg_latency', s.avgLatencyMs.toFixed(4)],
        ['zk_max_latency', s.maxLatencyMs],
        ['zk_min_latency', s.minLatencyReported],
        ['zk_packets_received', s.packetsReceived],
        ['zk_packets_sent', s.packetsSent],
        ['zk_num_alive_connections', conns],
        ['zk_outstanding_requests', zk.outstanding],
        ['zk_znode_count', zk.tree.nodeCount],
        ['zk_watch_count', zk.watches.count],
        ['zk_ephemerals_count', zk.tree.ephemeralCount],
        ['zk_approximate_data_size', zk.tree.approximateDataSize],
        ['zk_open_file_descriptor_count', conns + 8],
        ['zk_max_file_descriptor_count', 1048576],
        ['zk_global_sessions', zk.sessions.size],
        ['zk_local_sessions', 0],
        ['zk_uptime', Date.now() - s.startedAtMs],
        ['zk_last_zxid', `0x${zk.lastZxid.toString(16)}`],
        ['zk_data_dir_size', dirSizes().datadir],
        ['zk_log_dir_size', dirSizes().logdir],
        ...role.mntr(),
      ];
    },
  };
}

function sessionDump(zk: ZooKeeperServer, listener: ClientListener | null): string {
  const hex = (v: bigint): string => '0x' + v.toString(16);
  const buckets = zk.sessions.bucketsByDeadline();
  let out = `SessionTracker dump:\nSession Sets (${buckets.length})/(${zk.sessions.size}):\n`;
  for (const [deadline, sessions] of buckets) {
    out += `${sessions.length} expire at ${new Date(deadline).toString()}:\n`;
    for (const s of sessions) out += `\t${hex(s.sessionId)}\n`;
  }
  const withEphemerals = zk.tree.sessionsWithEphemerals();
  out += `ephemeral nodes dump:\nSessions with Ephemerals (${withEphemerals.size}):\n`;
  for (const [sid, paths] of withEphemerals) {
    out += `${hex(sid)}:\n` + [...paths].map((p) => `\t${p}\n`).join('');
  }
  const conns = listener === null ? [] : [...listener.connections];
  out += `Connections dump:\nConnections Sets (1)/(${conns.length}):\n`;
  for (const c of conns) out += `\tip: /${c.remoteAddress}:${c.remotePort} sessionId: ${hex(c.sessionId)}\n`;
  return out;
}
