// kafka-server-start -daemon: starts the broker in the background, as Kafka's script does, with
// its output in $LOG_DIR/kafkaServer.out (LOG_DIR defaults to data/logs/ in the tree) and,
// beyond Kafka, a pid file in the first log directory (<log.dirs[0]>/kafka-server.pid) that
// kafka-server-stop <server.properties> uses. It returns once the broker reports "started" (Kafka
// returns at once); a broker that exits or stays silent is reported with the end of its output.
// Never starts a second broker on the same log directory.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../../shared/src';
import {
  daemonState,
  pollUntil,
  removePidFile,
  startDetached,
  stopProcess,
  writePidFile,
} from '../../../shared/src/cli/daemon';
import { loadBrokerConfig, overridesFromArgs } from '../config/broker-config';
import { OutputSink, ToolExit } from './tool-io';

export const BROKER_PID_FILE_NAME = 'kafka-server.pid';
export const DAEMON_OUTPUT_FILE_NAME = 'kafkaServer.out';
/** What every broker process's command line contains: the entry script's name. */
export const BROKER_COMMAND_MARKER = 'kafka-server-start';
/** How long -daemon waits for the "started" line. */
export const DAEMON_START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const STARTED_LINE = /\[KafkaServer id=(\d+)\] started; listening on (\S+)/;
const OUTPUT_TAIL_LINES = 20;

export interface BrokerLaunch {
  readonly nodePath: string;
  /** dist/kafka-broker/src/bin/kafka-server-start.js */
  readonly brokerScript: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where kafkaServer.out goes ($LOG_DIR). */
  readonly logDir: string;
}

export interface DaemonIo {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
}

/** The pid file of the broker of this config: in its first log directory. */
export function brokerPidFile(configPath: string, overrides: readonly string[], cwd: string): string {
  const config = loadBrokerConfig(resolve(cwd, configPath), overridesFromArgs(overrides));
  return join(resolve(cwd, config.logDirs[0]!), BROKER_PID_FILE_NAME);
}

function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function tail(file: string): string {
  return readText(file).trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
}

/**
 * Starts `kafka-server-start <brokerArgs>` detached. `configPath` and `overrides` are the ones in
 * brokerArgs, read here to check the config and find the pid file.
 */
export async function startBrokerDaemon(
  configPath: string,
  overrides: readonly string[],
  brokerArgs: readonly string[],
  io: DaemonIo,
  launch: BrokerLaunch,
): Promise<number> {
  let pidFile: string;
  try {
    pidFile = brokerPidFile(configPath, overrides, launch.cwd);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.stderr.write(`invalid configuration: ${e.message}\n`);
    return ToolExit.CONFIG_ERROR;
  }
  const running = daemonState(pidFile, BROKER_COMMAND_MARKER);
  if (running.state === 'running') {
    io.stderr.write(
      `A broker with this log directory already runs as process ${running.pid} (${pidFile}).\n`,
    );
    return ToolExit.ERROR;
  }
  mkdirSync(launch.logDir, { recursive: true });
  const outputFile = join(launch.logDir, DAEMON_OUTPUT_FILE_NAME);
  const child = startDetached({
    command: launch.nodePath,
    args: [launch.brokerScript, ...brokerArgs],
    cwd: launch.cwd,
    env: launch.env,
    outputFile,
  });
  writePidFile(pidFile, child.pid);
  const settled = await pollUntil(
    () => child.exitInfo() !== null || STARTED_LINE.test(readText(outputFile)),
    DAEMON_START_TIMEOUT_MS,
  );
  const exit = child.exitInfo();
  if (settled && exit === null) return ToolExit.OK;
  if (exit === null) await stopProcess(child.pid, STOP_TIMEOUT_MS);
  removePidFile(pidFile);
  const why =
    exit === null
      ? `did not report "started" within ${DAEMON_START_TIMEOUT_MS} ms`
      : `exited with code ${exit.code ?? exit.signal}`;
  io.stderr.write(`The broker ${why}; the end of its output (${outputFile}):\n${tail(outputFile)}\n`);
  return exit?.code === ToolExit.CONFIG_ERROR ? ToolExit.CONFIG_ERROR : ToolExit.ERROR;
}
