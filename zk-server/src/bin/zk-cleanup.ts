#!/usr/bin/env node
// zk-cleanup: removes old snapshots and transaction logs, keeping the N newest snapshots and the
// logs they need (zkCleanup.sh / PurgeTxnLog). Either a zoo.cfg or the directories themselves.

import { statSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createLogger } from '../../../shared/src';
import { loadZooConfig } from '../config/zoo-config';
import { purgeDataDirs, SNAP_RETAIN_COUNT_MIN } from '../persistence/purge';
import { NodeStorage } from '../persistence/storage';

const EXIT_USAGE = 2;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('zk-cleanup')
    .usage('$0 [path/to/zoo.cfg | dataLogDir [dataDir]] -n <count>')
    .option('n', { alias: 'count', type: 'number', default: SNAP_RETAIN_COUNT_MIN, describe: `snapshots to keep (at least ${SNAP_RETAIN_COUNT_MIN})` })
    .example('$0 conf/zoo.cfg -n 5', 'purge using the directories of a zoo.cfg')
    .example('$0 /var/lib/zookeeper -n 3', 'purge a data directory whose logs live in it')
    .strictOptions()
    .help()
    .parseAsync();
  const logger = createLogger({ stderr: true });
  const count = argv.n;
  if (!Number.isInteger(count) || count < SNAP_RETAIN_COUNT_MIN) {
    logger.error(`-n must be an integer of at least ${SNAP_RETAIN_COUNT_MIN}, got ${count}`);
    process.exit(EXIT_USAGE);
  }
  const args = argv._.map(String);
  const first = args[0] ?? 'conf/zoo.cfg';
  let dataDir: string;
  let dataLogDir: string;
  if (isFile(first)) {
    const config = loadZooConfig(first);
    dataDir = config.dataDir;
    dataLogDir = config.dataLogDir;
  } else {
    dataLogDir = first;
    dataDir = args[1] ?? first;
  }
  const result = await purgeDataDirs(new NodeStorage(), dataDir, dataLogDir === dataDir ? null : dataLogDir, count, logger);
  for (const path of result.removed) process.stdout.write(`Removing file: ${path}\n`);
  if (result.oldestKeptZxid === null) process.stdout.write('No valid snapshot found: nothing removed\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`zk-cleanup: ${(e as Error).message}\n`);
  process.exit(1);
});
