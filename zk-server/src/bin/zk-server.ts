#!/usr/bin/env node
// zk-server: runs the ZooKeeper-compatible server, with zkServer.sh's commands. `start-foreground`
// runs it here with logs on stdout (Ctrl-C or SIGTERM stops it cleanly); start, stop, restart and
// status manage a background server through a pid file in dataDir (control/server-control.ts).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, createLogger } from '../../../shared/src';
import { CliIo, ExitCode } from '../../../shared/src/cli/exit-codes';
import { loadZooConfig, zooConfigHelp } from '../config/zoo-config';
import { ControlCommand, OUTPUT_FILE_NAME, PID_FILE_NAME, prepareMyid, runServerControl } from '../control/server-control';
import { isEnsembleMember, startServer } from '../server';
import { ZOOKEEPER_VERSION } from '../limits';

const CONFIG_DEFAULT = 'conf/zoo.cfg';
const io: CliIo = { stdout: process.stdout, stderr: process.stderr };

async function startForeground(configPath: string, logLevel: string): Promise<void> {
  const logger = createLogger({ level: logLevel });
  let config;
  try {
    const wrote = prepareMyid(configPath, process.cwd());
    if (wrote !== null) logger.info(wrote);
    config = loadZooConfig(configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      logger.error(`invalid configuration: ${e.message}`);
      process.exit(ExitCode.CONFIG_ERROR);
    }
    throw e;
  }
  const role = isEnsembleMember(config) ? `server ${config.serverId} of an ensemble of ${config.servers.length}` : 'standalone';
  logger.info(`starting ZooKeeper-compatible server ${ZOOKEEPER_VERSION} with ${configPath} (${role})`);
  let server;
  try {
    server = await startServer(config, logger);
  } catch (e) {
    logger.error(`cannot start: ${(e as Error).message}`);
    process.exit(ExitCode.ERROR);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, shutting down`);
    void server.stop().then(() => {
      logger.info('stopped');
      process.exit(ExitCode.OK);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function control(command: ControlCommand, configPath: string): void {
  const launch = { nodePath: process.execPath, serverScript: __filename, env: process.env, cwd: process.cwd() };
  void runServerControl(command, configPath, io, launch).then((code) => process.exit(code));
}

const configArg = (y: yargs.Argv): yargs.Argv<{ config: string }> =>
  y.positional('config', { type: 'string', default: CONFIG_DEFAULT, describe: 'zoo.cfg path' });

void yargs(hideBin(process.argv))
  .scriptName('zk-server')
  .usage('$0 {start|start-foreground|stop|restart|status|version} [path/to/zoo.cfg]')
  .command(
    'start-foreground [config]',
    'run the server in the foreground, logging to stdout',
    configArg,
    (argv) => void startForeground(argv.config, argv['log-level'] as string),
  )
  .command('start [config]', 'start the server in the background; STARTED once it answers srvr', configArg, (argv) =>
    control('start', argv.config),
  )
  .command('stop [config]', 'stop the background server named by the pid file', configArg, (argv) =>
    control('stop', argv.config),
  )
  .command('restart [config]', 'stop, then start', configArg, (argv) => control('restart', argv.config))
  .command('status [config]', "print the server's Mode (asks srvr on the client port)", configArg, (argv) =>
    control('status', argv.config),
  )
  .command('version', 'print the version', {}, () => console.log(`Apache ZooKeeper, version ${ZOOKEEPER_VERSION}-zk-kafka`))
  .option('log-level', { type: 'string', default: process.env.ZK_LOG_LEVEL ?? 'info', describe: 'error, warn, info or debug' })
  .epilogue(
    [
      `A background server (start) writes its pid to <dataDir>/${PID_FILE_NAME} and its output (logs) to`,
      `<dataDir>/${OUTPUT_FILE_NAME}. Relative dataDir paths are taken from the working directory.`,
      'Ensemble configs (two or more server.N lines) need <dataDir>/myid: when it is missing, start and',
      'start-foreground write it from the server.N line whose host is the clientPortAddress.',
      'Exit codes: 0 done, 1 failed (not started, already running, not answering), 2 invalid config.',
      '',
      `zoo.cfg keys:\n${zooConfigHelp()}`,
    ].join('\n'),
  )
  .demandCommand(1)
  .strict()
  .wrap(null)
  .help()
  .parseAsync();
