// The sync step over a scripted log: batches are handed on in commit order, the next batch's
// commit starts before the previous batch is handed on (the fsync overlaps applying), and a failed
// commit stops everything after it.

import { SyncStage, DurableLog } from '../../../../zk-server/src/pipeline/sync-stage';
import { PreparedTxn } from '../../../../zk-server/src/pipeline/request';
import { Op } from '../../../../zk-server/src/protocol/op-codes';

interface Item {
  prepared: PreparedTxn;
  name: string;
}

function item(name: string, zxid: bigint): Item {
  const header = { clientId: 1n, cxid: 1, zxid, time: 0n, type: Op.check };
  return { name, prepared: { header, txn: { type: Op.check, record: { path: '/x', version: 0 } } } };
}

/** A log whose commits resolve or reject when the test says. */
class ScriptedLog implements DurableLog {
  readonly commits: { resolve: () => void; reject: (e: Error) => void }[] = [];
  constructor(private readonly events: string[]) {}
  append(): void {}
  commit(): Promise<void> {
    this.events.push(`commit ${this.commits.length + 1}`);
    return new Promise((resolve, reject) => this.commits.push({ resolve, reject }));
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const names = (batch: Item[]): string => batch.map((i) => i.name).join(',');

describe('SyncStage', () => {
  it('starts the next commit before handing on the batch just made durable', async () => {
    const events: string[] = [];
    const log = new ScriptedLog(events);
    const stage = new SyncStage<Item>(log, (batch) => events.push(`apply ${names(batch)}`), () => undefined);
    stage.submit(item('a', 1n));
    await turn();
    stage.submit(item('b', 2n));
    stage.submit(item('c', 3n));
    log.commits[0]!.resolve();
    await turn();
    await turn();
    expect(events).toEqual(['commit 1', 'commit 2', 'apply a']);
    log.commits[1]!.resolve();
    await turn();
    expect(events).toEqual(['commit 1', 'commit 2', 'apply a', 'apply b,c']);
  });

  it('hands batches on in commit order when commits complete at once', async () => {
    const applied: string[] = [];
    const log: DurableLog = { append: () => undefined, commit: () => Promise.resolve() };
    const apply = (batch: Item[]): number => applied.push(...batch.map((i) => i.name));
    const stage = new SyncStage<Item>(log, apply, () => undefined);
    const submitted: string[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 1 + (round % 4); i++) {
        const name = `${round}.${i}`;
        submitted.push(name);
        stage.submit(item(name, BigInt(submitted.length)));
      }
      if (round % 3 !== 0) await turn();
    }
    for (let i = 0; i < 5; i++) await turn();
    expect(applied).toEqual(submitted);
  });

  it('hands on what was durable before a failed commit, and nothing after it', async () => {
    const events: string[] = [];
    const log = new ScriptedLog(events);
    const failures: string[] = [];
    const apply = (batch: Item[]): number => events.push(`apply ${names(batch)}`);
    const stage = new SyncStage<Item>(log, apply, (e) => failures.push(e.message));
    stage.submit(item('a', 1n));
    await turn();
    stage.submit(item('b', 2n));
    log.commits[0]!.resolve();
    await turn();
    log.commits[1]!.reject(new Error('EIO'));
    await turn();
    stage.submit(item('c', 3n));
    for (let i = 0; i < 3; i++) await turn();
    expect(events).toEqual(['commit 1', 'commit 2', 'apply a']);
    expect(failures).toEqual(['EIO']);
    expect(stage.pending).toBe(0);
  });
});
