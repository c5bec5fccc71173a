#!/usr/bin/env node
// kafka-server-start: runs the broker in the foreground, as Kafka's script of the same name:
// `kafka-server-start [server.properties] [--override key=value]...`. Logs go to stdout; SIGTERM
// or SIGINT stops the broker cleanly (logs closed, registration removed from ZooKeeper).
// A wrong config value exits with code 2 and a message naming the key.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, createLogger, Logger } from '../../../shared/src';
import { Broker } from '../broker';
import { brokerConfigHelp, loadBrokerConfig, overridesFromArgs } from '../config/broker-config';

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

void yargs(hideBin(process.argv))
  .scriptName('kafka-server-start')
  .usage('$0 [server.properties] [--override key=value]...')
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
  .epilogue(`server.properties keys:\n${brokerConfigHelp()}`)
  .strict()
  .help()
  .parseAsync();
