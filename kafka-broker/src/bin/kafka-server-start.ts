#!/usr/bin/env node
// kafka-server-start: runs the broker in the foreground, as Kafka's script of the same name:
// `kafka-server-start [-daemon] [server.properties] [--override key=value]...`. Logs go to stdout;
// SIGTERM or SIGINT stops the broker cleanly (logs closed, registration removed from ZooKeeper).
// -daemon (first argument, as Kafka has it) starts it in the background instead, output in
// $LOG_DIR/kafkaServer.out (tools/server-daemon.ts). A wrong config value exits with code 2 and a
// message naming the key.

import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, createLogger, Logger } from '../../../shared/src';
import { Broker } from '../broker';
import { brokerConfigHelp, loadBrokerConfig, overridesFromArgs } from '../config/broker-config';
import { startBrokerDaemon } from '../tools/server-daemon';
import { exitAfterOutput } from './tool-process';

/** The top of the tree (this file is dist/kafka-broker/src/bin/kafka-server-start.js). */
const ROOT = resolve(__dirname, '..', '..', '..', '..');
const DAEMON_FLAG = '-daemon';
const rawArgs = hideBin(process.argv);
const daemon = rawArgs[0] === DAEMON_FLAG;
const brokerArgs = daemon ? rawArgs.slice(1) : rawArgs;
const EXIT_START_FAILED = 1;
const EXIT_CONFIG_ERROR = 2;
/** A stop that hangs (a stuck disk or ZooKeeper) ends the process after this long anyway. */
const STOP_TIMEOUT_MS = 30_000;

async function run(configPath: string, overrides: string[], logger: Logger): Promise<void> {
  let config;
  try {
    config = loadBrokerConfig(configPath, overridesFromArgs(overrides));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    logger.error(`invalid configuration: ${e.message}`);
    process.exit(EXIT_CONFIG_ERROR);
  }
  for (const key of config.unknownKeys) logger.warn(`${configPath}: unknown key ${key} ignored`);
  let broker: Broker;
  try {
    broker = await Broker.start(config, logger);
  } catch (e) {
    logger.error(`cannot start: ${(e as Error).message}`);
    process.exit(e instanceof ConfigError ? EXIT_CONFIG_ERROR : EXIT_START_FAILED);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping`);
    setTimeout(() => {
      logger.error(`stop did not finish within ${STOP_TIMEOUT_MS} ms; exiting`);
      process.exit(EXIT_START_FAILED);
    }, STOP_TIMEOUT_MS).unref();
    broker.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error(`stop failed: ${(e as Error).message}`);
        process.exit(EXIT_START_FAILED);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function startDaemon(configPath: string, overrides: string[]): void {
  const launch = {
    nodePath: process.execPath,
    brokerScript: __filename,
    cwd: process.cwd(),
    env: process.env,
    logDir: process.env['LOG_DIR'] ?? join(ROOT, 'data', 'logs'),
  };
  startBrokerDaemon(configPath, overrides, brokerArgs, process, launch).then(exitAfterOutput, (e: unknown) => {
    process.stderr.write(`cannot start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exitAfterOutput(EXIT_START_FAILED);
  });
}

void yargs(brokerArgs)
  .scriptName('kafka-server-start')
  .usage('$0 [-daemon] [server.properties] [--override key=value]...')
  .command(
    '$0 [config]',
    'run the broker in the foreground',
    (y) =>
      y.positional('config', {
        type: 'string',
        default: 'conf/server.properties',
        describe: 'server.properties path',
      }),
    (argv) => {
      if (daemon) return startDaemon(argv.config, (argv.override as string[] | undefined) ?? []);
      const logger = createLogger({ level: argv['log-level'] as string });
      run(argv.config, (argv.override as string[] | undefined) ?? [], logger).catch((e: unknown) => {
        logger.error(`cannot start: ${(e as Error).stack ?? String(e)}`);
        process.exit(EXIT_START_FAILED);
      });
    },
  )
  .option('override', {
    type: 'string',
    array: true,
    describe: 'key=value, overriding server.properties (repeatable)',
  })
  .option('log-level', {
    type: 'string',
    default: process.env['KAFKA_LOG_LEVEL'] ?? 'info',
    describe: 'error, warn, info or debug',
  })
  .epilogue(
    [
      '-daemon (the first argument) starts the broker in the background: its output goes to',
      '$LOG_DIR/kafkaServer.out (LOG_DIR defaults to data/logs/ in the tree), its pid to',
      '<first log.dirs entry>/kafka-server.pid; it returns once the broker has started.',
      '',
      `server.properties keys:\n${brokerConfigHelp()}`,
    ].join('\n'),
  )
  .strict()
  .help()
  .parseAsync();
