#!/usr/bin/env node
// kafka-local-cluster [single|ensemble]: ZooKeeper and Kafka on loopback in the foreground, for
// `make run` (single: conf/zoo.cfg + conf/server.properties) and `make run-ensemble` (three members
// of conf/zoo-ensemble + conf/server-1..3.properties). Ctrl-C stops the brokers, then ZooKeeper; a
// second Ctrl-C kills them at once (tools/local-cluster.ts).

import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ClusterMode, runLocalCluster } from '../tools/local-cluster';
import { ToolExit } from '../tools/tool-io';
import { exitAfterOutput } from './tool-process';

/** The top of the tree (this file is dist/kafka-broker/src/bin/kafka-local-cluster.js). */
const ROOT = resolve(__dirname, '..', '..', '..', '..');

const argv = yargs(hideBin(process.argv))
  .scriptName('kafka-local-cluster')
  .usage('$0 [single|ensemble]\n\nRuns ZooKeeper and Kafka on loopback in the foreground until Ctrl-C.')
  .command('$0 [mode]', false, (y) =>
    y.positional('mode', {
      choices: ['single', 'ensemble'] as const,
      default: 'single' as const,
      describe: 'one ZooKeeper and one broker, or three of each',
    }),
  )
  .option('dir', {
    type: 'string',
    describe: 'where conf/ is read and data/ written (default: the top of the tree)',
  })
  .epilogue(
    'single: conf/zoo.cfg and conf/server.properties (127.0.0.1:2181, 127.0.0.1:9092).\n' +
      'ensemble: conf/zoo-ensemble/zoo1..3.cfg and conf/server-1..3.properties (127.0.0.1, .2 and .3, ports 2181 and 9092).\n' +
      'Output of each server: data/logs/. Exit codes: 0 stopped by Ctrl-C, 1 a server failed, 2 invalid config.',
  )
  .strict()
  .wrap(null)
  .version(false)
  .help()
  .parseSync();

const controller = new AbortController();
const handle = runLocalCluster(
  argv.mode as ClusterMode,
  { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, nowMs: () => Date.now() },
  {
    nodePath: process.execPath,
    zkServerScript: join(ROOT, 'dist', 'zk-server', 'src', 'bin', 'zk-server.js'),
    brokerScript: join(__dirname, 'kafka-server-start.js'),
    root: argv.dir === undefined ? ROOT : resolve(argv.dir),
    binDir: join(ROOT, 'bin'),
    cwd: process.cwd(),
    env: process.env,
  },
);
const onSignal = (signal: NodeJS.Signals): void => {
  if (!controller.signal.aborted) {
    controller.abort(signal);
    return;
  }
  handle.kill();
  process.exit(ToolExit.INTERRUPTED);
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGHUP', () => onSignal('SIGHUP'));
handle.done.then(exitAfterOutput, (e: unknown) => {
  handle.kill();
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  exitAfterOutput(ToolExit.ERROR);
});
