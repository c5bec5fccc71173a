// Purge (zoo.cfg autopurge.*): keep the N newest snapshots and the txn logs they need, remove the
// rest, as upstream PurgeTxnLog does; plus a timer that runs it every purgeInterval hours. It
// must never remove the newest snapshot's logs or the log being written (always the newest).

import * as nodePath from 'node:path';
import { assert, Clock, Logger, TimerHandle } from '../../../shared/src';
import { hasSnapshotTail, listSnapshots, SnapshotFileInfo } from './snapshot';
import { Storage, versionDir } from './storage';
import { listLogFiles, logFilesFrom } from './txn-log';

/** zoo.cfg autopurge.snapRetainCount default, and the least upstream accepts. */
export const SNAP_RETAIN_COUNT_MIN = 3;
export const HOUR_MS = 3_600_000;

export interface PurgeResult {
  /** zxid of the oldest snapshot kept; null when no snapshot is valid (nothing is removed then). */
  oldestKeptZxid: bigint | null;
  removed: string[];
}

/**
 * Keeps the `retainCount` newest snapshots that look whole (upstream's cheap check), the log file
 * that starts at or before the oldest of them and every later log; removes older snapshots and
 * logs.
 */
export async function purgeDataDirs(
  storage: Storage,
  dataDir: string,
  dataLogDir: string | null,
  retainCount: number,
  logger: Logger,
): Promise<PurgeResult> {
  assert(Number.isInteger(retainCount) && retainCount >= 1, 'retainCount >= 1');
  const snapDir = versionDir(dataDir);
  const logDir = versionDir(dataLogDir ?? dataDir);
  const kept: SnapshotFileInfo[] = [];
  for (const s of await listSnapshots(storage, snapDir)) {
    if (await hasSnapshotTail(storage, nodePath.join(snapDir, s.name))) kept.push(s);
    if (kept.length === retainCount) break;
  }
  if (kept.length === 0) return { oldestKeptZxid: null, removed: [] };
  const oldest = kept[kept.length - 1]!.zxid;
  const logs = await listLogFiles(storage, logDir);
  const neededLogs = new Set(logFilesFrom(logs, oldest).map((f) => f.name));
  const doomed: string[] = [];
  for (const f of logs) {
    if (f.startZxid < oldest && !neededLogs.has(f.name)) doomed.push(nodePath.join(logDir, f.name));
  }
  for (const s of await listSnapshots(storage, snapDir)) {
    if (s.zxid < oldest) doomed.push(nodePath.join(snapDir, s.name));
  }
  for (const path of doomed) {
    logger.info('purge: removing file', { path });
    await storage.remove(path);
  }
  return { oldestKeptZxid: oldest, removed: doomed };
}

export interface AutopurgeOptions {
  clock: Clock;
  /** autopurge.purgeInterval in hours; 0 means off. */
  purgeIntervalHours: number;
  /** One purge run; its failure is logged and the next run still happens. */
  purge: () => Promise<unknown>;
  logger: Logger;
}

/** Runs `purge` now, then every purgeInterval hours (upstream DatadirCleanupManager); returns stop. */
export function startAutopurge(options: AutopurgeOptions): () => void {
  const { clock, purgeIntervalHours, purge, logger } = options;
  if (purgeIntervalHours <= 0) return () => undefined;
  let timer: TimerHandle | null = null;
  let stopped = false;
  const run = (): void => {
    timer = null;
    purge()
      .catch((err: unknown) => logger.warn('autopurge run failed', { error: String(err) }))
      .finally(() => {
        if (!stopped) timer = clock.setTimer(purgeIntervalHours * HOUR_MS, run);
      });
  };
  run();
  return () => {
    stopped = true;
    if (timer !== null) clock.clearTimer(timer);
  };
}
