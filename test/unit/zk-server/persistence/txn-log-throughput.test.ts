// Append + commit throughput of the txn log on the real disk under os.tmpdir(), with and without
// fsync, at several group-commit sizes. A measurement, not a check: it runs only with
// PERSISTENCE_BENCH=1 (npx jest --selectProjects unit -- txn-log-throughput) and prints a table.

import * as nodePath from 'node:path';
import { FileTxnLog } from '../../../../zk-server/src/persistence/txn-log';
import { NodeStorage } from '../../../../zk-server/src/persistence/storage';
import { captureLogger, removeDir, tempDir, txns } from './helpers';

const RUN_MS = 2_000;
const enabled = process.env['PERSISTENCE_BENCH'] === '1';

async function measure(forceSync: boolean, perCommit: number): Promise<{ txnsPerSec: number; commitsPerSec: number; usPerCommit: number }> {
  const dir = tempDir('txn-log-bench');
  try {
    const log = new FileTxnLog(new NodeStorage(), nodePath.join(dir, 'version-2'), { logger: captureLogger().logger, forceSync });
    const started = process.hrtime.bigint();
    let zxid = 0n;
    let commits = 0;
    for (;;) {
      for (let i = 0; i < perCommit; i++) log.append(txns.setData(++zxid, '/bench/node', 'x'.repeat(100)));
      await log.commit();
      commits++;
      if (Number(process.hrtime.bigint() - started) / 1e6 >= RUN_MS) break;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await log.close();
    return { txnsPerSec: Math.round(Number(zxid) / seconds), commitsPerSec: Math.round(commits / seconds), usPerCommit: Math.round((seconds * 1e6) / commits) };
  } finally {
    removeDir(dir);
  }
}

(enabled ? test : test.skip)('txn log throughput (set PERSISTENCE_BENCH=1 to run)', async () => {
  const rows: string[] = ['forceSync | txns/commit | txns/s | commits/s | µs/commit'];
  for (const forceSync of [true, false]) {
    for (const perCommit of [1, 10, 100, 1000]) {
      const r = await measure(forceSync, perCommit);
      rows.push(`${forceSync ? 'yes' : 'no '} | ${perCommit} | ${r.txnsPerSec} | ${r.commitsPerSec} | ${r.usPerCommit}`);
    }
  }
  // eslint-disable-next-line no-console
  console.log(rows.join('\n'));
}, 60_000);
