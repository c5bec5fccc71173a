#!/usr/bin/env node
// zk-server: runs the ZooKeeper-compatible server. `start-foreground path/to/zoo.cfg` runs it in the
// foreground with logs on stdout; Ctrl-C (SIGINT) or SIGTERM stops it cleanly.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, createLogger } from '../../../shared/src';
import { loadZooConfig, zooConfigHelp } from '../config/zoo-config';
import { startServer } from '../server';
import { ZOOKEEPER_VERSION } from '../limits';

const EXIT_CONFIG_ERROR = 2;
const EXIT_START_FAILED = 1;

async function startForeground(configPath: string, logLevel: string): Promise<void> {
  const logger = createLogger({ level: logLevel });
  let config;
  try {
    config = loadZooConfig(configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      logger.error(`invalid configuration: ${e.message}`);
      process.exit(EXIT_CONFIG_ERROR);
    }
    throw e;
  }
  logger.info(`starting ZooKeeper-compatible server ${ZOOKEEPER_VERSION} with ${configPath} (standalone)`);
  let server;
  try {
    server = await startServer(config, logger);
  } catch (e) {
    logger.error(`cannot start: ${(e as Error).message}`);
    process.exit(EXIT_START_FAILED);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, shutting down`);
    void server.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void yargs(hideBin(process.argv))
  .scriptName('zk-server')
  .usage('$0 <command> [path/to/zoo.cfg]')
  .command(
    'start-foreground [config]',
    'run the server in the foreground',
    (y) => y.positional('config', { type: 'string', default: 'conf/zoo.cfg', describe: 'zoo.cfg path' }),
    (argv) => void startForeground(argv.config, argv['log-level'] as string),
  )
  .command('version', 'print the version', {}, () => console.log(`Apache ZooKeeper, version ${ZOOKEEPER_VERSION}-zk-kafka`))
  .option('log-level', { type: 'string', default: process.env.ZK_LOG_LEVEL ?? 'info', describe: 'error, warn, info or debug' })
  .epilogue(`zoo.cfg keys:\n${zooConfigHelp()}`)
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
