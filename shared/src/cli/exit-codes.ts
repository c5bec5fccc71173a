// Named process exit codes of the command-line tools, and CliIo, what a CLI's run() is given in place
// of the process: its output streams (and, for interactive tools, its input). run() returns the exit
// code; only bin/ files turn it into process.exit. Nothing here touches `process`.

export const ExitCode = {
  /** The command did what was asked (zkServer.sh stop also exits 0 when nothing was running). */
  OK: 0,
  /** The command failed: a ZooKeeper error, a server that did not start or does not answer. */
  ERROR: 1,
  /** The configuration file is missing or invalid. */
  CONFIG_ERROR: 2,
  /** No such command, as shells and zkCli.sh report it. */
  COMMAND_NOT_FOUND: 127,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Somewhere text can be written: process.stdout, a socket, or a string collector in tests. */
export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
}
