#!/usr/bin/env node
// zk-cli: zkCli.sh for our server (or any ZooKeeper 3.8). `zk-cli -server host:port ls /` runs one
// command; without a command it opens an interactive shell (shell/shell.ts).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runShell, usageLines } from '../shell/shell';

const SESSION_TIMEOUT_MS_DEFAULT = 30_000;

const argv = yargs(hideBin(process.argv))
  .scriptName('zk-cli')
  // zkCli's own syntax: single-dash long options (-server), and everything from the first word on is the command
  .parserConfiguration({
    'short-option-groups': false,
    'halt-at-non-option': true,
    'camel-case-expansion': false,
    'parse-positional-numbers': false,
  })
  .usage('$0 [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [-waitforconnection] [command args...]')
  .option('server', { type: 'string', default: 'localhost:2181', describe: 'connect string' })
  .option('timeout', { type: 'number', default: SESSION_TIMEOUT_MS_DEFAULT, describe: 'session timeout, ms' })
  .option('r', { type: 'boolean', default: false, describe: 'read-only session (allowed on a read-only server)' })
  .option('waitforconnection', { type: 'boolean', default: false, describe: 'wait for the session before running the command' })
  .option('client-configuration', { type: 'string', describe: 'accepted for zkCli compatibility; not read' })
  .epilogue(
    [
      'Commands (as zkCli.sh 3.8 has them; their output and error texts are zkCli\'s):',
      ...usageLines().slice(1).map((l) => `  ${l.trim()}`),
      '',
      'One command runs and exits: 0 done, 1 failed, 127 unknown command. Like zkCli.sh, a one-shot run',
      'does not close its session, so ephemeral nodes it creates stay until the session times out.',
      'Without a command the shell is interactive: a prompt, history (up arrow, `history`, `redo n`) and',
      'Tab completion of commands and znode paths on a terminal; `quit` closes the session.',
    ].join('\n'),
  )
  .strict(false)
  .wrap(null)
  .help()
  .version(false)
  .parseSync();

void runShell(
  {
    server: argv.server || 'localhost:2181',
    sessionTimeoutMs: argv.timeout,
    readOnly: argv.r,
    waitForConnection: argv.waitforconnection,
    command: argv._.map(String),
  },
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
).then((code) => process.exit(code));
