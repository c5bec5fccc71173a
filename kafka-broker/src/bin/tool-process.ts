// What every Kafka tool's bin file shares: a ToolIo made of this process (stdin, stdout, stderr,
// whether both ends are a terminal, Ctrl-C and SIGTERM as an abort signal; a second signal ends the
// process at once, as a second Ctrl-C does a JVM), and the exit: usage errors print the message
// and the usage on stderr with code 1, as Kafka's CommandLineUtils.printUsageAndDie does.

import type { Argv } from 'yargs';
import { ToolExit, ToolIo, UsageError } from '../tools/tool-io';

export function processToolIo(): ToolIo {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted)
      process.exit(signal === 'SIGTERM' ? ToolExit.TERMINATED : ToolExit.INTERRUPTED);
    controller.abort(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.stdout.on('error', () => undefined);
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    console: process.stdin.isTTY === true && process.stdout.isTTY === true,
    signal: controller.signal,
    nowMs: () => Date.now(),
  };
}

/** Exits once stdout and stderr have taken everything written. */
export function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/** Prints a usage problem the way Kafka's tools do: the message, then the usage, on stderr; exit 1. */
export async function usageAndExit(parser: Argv, message: string): Promise<void> {
  process.stderr.write(`${message.replace(/\n+$/, '')}\n`);
  process.stderr.write(`${await parser.getHelp()}\n`);
  exitAfterOutput(ToolExit.ERROR);
}

/** Runs a tool: its exit code becomes the process's; UsageError prints usage; anything else, its stack. */
export function runToolProcess(parser: Argv, run: (io: ToolIo) => Promise<number>): void {
  const io = processToolIo();
  run(io).then(
    (code) => exitAfterOutput(code),
    (e: unknown) => {
      if (e instanceof UsageError) return usageAndExit(parser, e.message);
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      exitAfterOutput(ToolExit.ERROR);
      return undefined;
    },
  );
}

/** yargs coercion of an integer option, with joptsimple's complaint for anything else. */
export function integerOption(option: string): (v: unknown) => number | undefined {
  return (v) => {
    if (v === undefined) return undefined;
    const text = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n))
      throw new Error(`Cannot parse argument '${text}' of option ${option}`);
    return n;
  };
}
