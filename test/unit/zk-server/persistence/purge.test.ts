import { Clock, TimerHandle } from '../../../../shared/src';
import { HOUR_MS, purgeDataDirs, startAutopurge } from '../../../../zk-server/src/persistence/purge';
import { writeSnapshot } from '../../../../zk-server/src/persistence/snapshot';
import { captureLogger, MemoryStorage, stat } from './helpers';

const DATA = '/data';
const LOGS = '/logs';
const QUIET = captureLogger().logger;

async function snapshotAt(storage: MemoryStorage, zxid: bigint): Promise<void> {
  await writeSnapshot(storage, DATA, {
    sessions: [],
    acls: new Map(),
    nodes: () => [{ path: '', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) }],
    zxid,
    digest: null,
  });
}

function logAt(storage: MemoryStorage, dir: string, zxid: bigint): void {
  storage.setBytes(`${dir}/version-2/log.${zxid.toString(16)}`, Buffer.from('5a4b4c47000000020000000000000000', 'hex'));
}

describe('purge', () => {
  test('keeps the N newest snapshots, the log that covers the oldest of them and all later logs', async () => {
    const storage = new MemoryStorage();
    for (const z of [0n, 0x10n, 0x20n, 0x30n, 0x40n]) await snapshotAt(storage, z);
    for (const z of [1n, 0x11n, 0x1an, 0x25n, 0x41n]) logAt(storage, LOGS, z);
    const result = await purgeDataDirs(storage, DATA, LOGS, 3, QUIET);
    expect(result.oldestKeptZxid).toBe(0x20n);
    expect((await storage.list(`${DATA}/version-2`)).sort()).toEqual(['snapshot.20', 'snapshot.30', 'snapshot.40']);
    // log.1a holds the txns right after snapshot.20 (it starts before it): it stays
    expect((await storage.list(`${LOGS}/version-2`)).sort()).toEqual(['log.1a', 'log.25', 'log.41']);
    expect(result.removed.sort()).toEqual(['/data/version-2/snapshot.0', '/data/version-2/snapshot.10', '/logs/version-2/log.1', '/logs/version-2/log.11'].sort());
  });

  test('a snapshot that is not whole does not count among the N kept, and is not removed', async () => {
    const storage = new MemoryStorage();
    for (const z of [0n, 0x10n, 0x20n, 0x30n]) await snapshotAt(storage, z);
    const newest = `${DATA}/version-2/snapshot.30`;
    storage.setBytes(newest, storage.bytes(newest).subarray(0, 40));
    await purgeDataDirs(storage, DATA, null, 2, QUIET);
    expect((await storage.list(`${DATA}/version-2`)).sort()).toEqual(['snapshot.10', 'snapshot.20', 'snapshot.30']);
  });

  test('logs and snapshots in the same directory; nothing to do with fewer snapshots than N', async () => {
    const storage = new MemoryStorage();
    await snapshotAt(storage, 0n);
    await snapshotAt(storage, 5n);
    logAt(storage, DATA, 1n);
    logAt(storage, DATA, 6n);
    const result = await purgeDataDirs(storage, DATA, null, 3, QUIET);
    expect(result.removed).toEqual([]);
    expect((await storage.list(`${DATA}/version-2`)).length).toBe(4);
  });

  test('an empty directory purges nothing', async () => {
    expect(await purgeDataDirs(new MemoryStorage(), DATA, null, 3, QUIET)).toEqual({ oldestKeptZxid: null, removed: [] });
  });
});

describe('autopurge', () => {
  class ManualClock implements Clock {
    now = 0;
    timers: Array<{ at: number; fn: () => void; id: number }> = [];
    private nextId = 1;
    nowMs(): number {
      return this.now;
    }
    setTimer(delayMs: number, fn: () => void): TimerHandle {
      const id = this.nextId++;
      this.timers.push({ at: this.now + delayMs, fn, id });
      return id;
    }
    clearTimer(handle: TimerHandle): void {
      this.timers = this.timers.filter((t) => t.id !== handle);
    }
    async advance(ms: number): Promise<void> {
      this.now += ms;
      for (const t of this.timers.filter((x) => x.at <= this.now)) {
        this.timers = this.timers.filter((x) => x !== t);
        t.fn();
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  test('runs at start and then every purgeInterval hours until stopped; a failed run does not stop it', async () => {
    const clock = new ManualClock();
    let runs = 0;
    const stop = startAutopurge({
      clock,
      purgeIntervalHours: 2,
      purge: async () => {
        runs++;
        if (runs === 2) throw new Error('disk trouble');
      },
      logger: QUIET,
    });
    await clock.advance(0);
    expect(runs).toBe(1);
    await clock.advance(2 * HOUR_MS - 1);
    expect(runs).toBe(1);
    await clock.advance(1);
    expect(runs).toBe(2);
    await clock.advance(2 * HOUR_MS);
    expect(runs).toBe(3);
    stop();
    await clock.advance(10 * HOUR_MS);
    expect(runs).toBe(3);
    expect(clock.timers).toEqual([]);
  });

  test('an interval of 0 turns it off', () => {
    const clock = new ManualClock();
    let runs = 0;
    startAutopurge({ clock, purgeIntervalHours: 0, purge: async () => void runs++, logger: QUIET })();
    expect(runs).toBe(0);
  });
});
