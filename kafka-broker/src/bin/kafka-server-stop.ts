#!/usr/bin/env node
// kafka-server-stop [server.properties [--override key=value]...]: stops the brokers of this
// machine, or the one of that config (tools/server-stop.ts). $SIGNAL picks the signal (TERM).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runServerStop } from '../tools/server-stop';
import { systemProcessTable } from '../tools/process-table';
import { exitAfterOutput } from './tool-process';

const argv = yargs(hideBin(process.argv))
  .scriptName('kafka-server-stop')
  .usage(
    '$0 [server.properties [--override key=value]...]\n\nStops the brokers started by kafka-server-start: all of them, or the one of this config.',
  )
  .command('$0 [config]', false, (y) =>
    y.positional('config', { type: 'string', describe: 'server.properties of the broker to stop' }),
  )
  .option('override', {
    type: 'string',
    array: true,
    describe: 'key=value as given to kafka-server-start (when it changes log.dirs)',
  })
  .epilogue(
    'SIGNAL=KILL (or another signal name) in the environment sends that signal instead of TERM. Exit codes: 0 stopped, 1 none running or still running after 30 s, 2 invalid config.',
  )
  .parserConfiguration({ 'dot-notation': false })
  .strict()
  .wrap(null)
  .version(false)
  .help()
  .parseSync();

void runServerStop(
  {
    configPath: argv.config as string | undefined,
    overrides: argv.override ?? [],
    signal: process.env['SIGNAL'],
  },
  {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    processes: systemProcessTable,
    ownPid: process.pid,
  },
).then(exitAfterOutput, (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  exitAfterOutput(1);
});
