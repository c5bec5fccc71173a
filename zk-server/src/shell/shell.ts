// zk-cli's shell, after zkCli.sh (ZooKeeperMain): one command from the command line, or an
// interactive session reading lines (prompt, history, completion of command names and znode paths
// when the input is a terminal). Owns the command table, the exit-code rules (0 done, 1 failed,
// 127 unknown command; interactive sessions exit with the last command's code) and the printing of
// watch events. Never touches `process`: streams come in through ShellIo, the exit code goes out.

import * as readline from 'node:readline';
import { CliIo, ExitCode } from '../../../shared/src/cli/exit-codes';
import { CliError, ShellCommand, ShellContext, ShellSession } from './command';
import { keeperMessage, watchedEventText } from './format';
import { splitLine } from './line-parser';
import { WatchedEvent, ZkShellClient } from './zk-shell-client';
import { Code } from '../protocol/keeper-errors';
import { EventType } from '../data/watch-events';
import { addAuthCommand } from './commands/add-auth';
import { addWatchCommand } from './commands/add-watch';
import { closeCommand } from './commands/close';
import { configCommand } from './commands/config';
import { connectCommand } from './commands/connect';
import { createCommand } from './commands/create';
import { deleteCommand } from './commands/delete';
import { deleteAllCommand } from './commands/delete-all';
import { getCommand } from './commands/get';
import { getAclCommand } from './commands/get-acl';
import { getAllChildrenNumberCommand } from './commands/get-all-children-number';
import { getEphemeralsCommand } from './commands/get-ephemerals';
import { helpCommand } from './commands/help';
import { historyCommand } from './commands/history';
import { lsCommand } from './commands/ls';
import { printWatchesCommand } from './commands/print-watches';
import { quitCommand } from './commands/quit';
import { redoCommand } from './commands/redo';
import { removeWatchesCommand } from './commands/remove-watches';
import { setCommand } from './commands/set';
import { setAclCommand } from './commands/set-acl';
import { statCommand } from './commands/stat';
import { syncCommand } from './commands/sync';
import { versionCommand } from './commands/version';
import { whoAmICommand } from './commands/who-am-i';

/** Every command the shell knows, by name. */
export const COMMANDS: ReadonlyMap<string, ShellCommand> = new Map(
  [
    addAuthCommand, addWatchCommand, closeCommand, configCommand, connectCommand, createCommand, deleteCommand,
    deleteAllCommand, getCommand, getAclCommand, getAllChildrenNumberCommand, getEphemeralsCommand, helpCommand,
    historyCommand, lsCommand, printWatchesCommand, quitCommand, redoCommand, removeWatchesCommand, setCommand,
    setAclCommand, statCommand, syncCommand, versionCommand, whoAmICommand,
  ].map((c) => [c.name, c]),
);

const USAGE_HEADER = 'ZooKeeper -server host:port -client-configuration properties-file cmd args';
/** The lines `history` keeps reachable for readline's up-arrow. */
const READLINE_HISTORY_SIZE = 1000;
/** How long a terminal session waits for its first connection before showing the prompt. */
const FIRST_PROMPT_WAIT_MS = 2_000;

type CompleterCallback = (err: null, result: [string[], string]) => void;

export interface ShellOptions {
  /** host:port[,host:port...][/chroot] */
  server: string;
  sessionTimeoutMs: number;
  readOnly: boolean;
  /** Wait for the session before running anything (-waitforconnection). */
  waitForConnection: boolean;
  /** One command and its arguments; empty for an interactive session. */
  command: readonly string[];
}

export interface ShellIo extends CliIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
}

export function usageLines(): string[] {
  const names = [...COMMANDS.keys()].sort();
  return [USAGE_HEADER, ...names.map((n) => `\t${n} ${COMMANDS.get(n)!.optionStr}`)];
}

class Shell implements ShellSession {
  client: ZkShellClient;
  connectString: string;
  readonly history = new Map<number, string>();
  commandCount = 0;
  printWatches = true;
  exitCode: number = ExitCode.OK;
  quitting = false;
  private rl: readline.Interface | null = null;
  private idle = false;
  /** The first session's SyncConnected is zkCli's banner: not printed. */
  private bannerPending = true;

  constructor(
    private readonly options: ShellOptions,
    private readonly io: ShellIo,
  ) {
    this.connectString = options.server;
    this.client = this.newClient(options.server);
  }

  private get terminal(): boolean {
    return this.io.stdin.isTTY === true && this.io.stdout.isTTY === true;
  }

  private newClient(connectString: string): ZkShellClient {
    return new ZkShellClient({
      connectString,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      readOnly: this.options.readOnly,
      onEvent: (e) => this.onEvent(e),
    });
  }

  private onEvent(e: WatchedEvent): void {
    if (this.bannerPending && e.type === EventType.None && e.state === 'SyncConnected') {
      this.bannerPending = false;
      return;
    }
    if (!this.printWatches) return;
    this.print(`\nWATCHER::\n\n${watchedEventText(e)}\n`);
  }

  /** Writes to stdout; while the prompt waits for input, redraws it under the text. */
  private print(text: string): void {
    if (this.rl === null || !this.terminal || !this.idle) {
      this.io.stdout.write(text);
      return;
    }
    readline.clearLine(this.io.stdout, 0);
    readline.cursorTo(this.io.stdout, 0);
    this.io.stdout.write(text);
    this.rl.setPrompt(this.prompt());
    this.rl.prompt(true);
  }

  prompt(): string {
    return `[zk: ${this.connectString}(${this.client.state}) ${this.commandCount}] `;
  }

  private context(): ShellContext {
    return {
      client: this.client,
      session: this,
      out: (line) => this.io.stdout.write(`${line}\n`),
      write: (text) => this.io.stdout.write(text),
      err: (line) => this.io.stderr.write(`${line}\n`),
    };
  }

  usageLines(): string[] {
    return usageLines();
  }

  async connect(connectString: string): Promise<void> {
    if (this.client.isAlive) await this.client.close();
    this.connectString = connectString;
    this.client = this.newClient(connectString);
  }

  quit(): void {
    this.quitting = true;
  }

  async redo(line: string): Promise<void> {
    this.history.set(this.commandCount, line);
    await this.processWords(splitLine(line));
  }

  /** One command; its failure is printed and becomes the exit code (ZooKeeperMain.processCmd). */
  async processWords(words: string[]): Promise<void> {
    try {
      await this.dispatch(words);
      // quit leaves with the code of the command before it
      if (!this.quitting) this.exitCode = ExitCode.OK;
    } catch (e) {
      this.exitCode = e instanceof CliError ? e.exitCode : ExitCode.ERROR;
      this.io.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  private async dispatch(words: string[]): Promise<void> {
    if (words.length < 1) {
      for (const line of usageLines()) this.io.stderr.write(`${line}\n`);
      throw new CliError('No command entered');
    }
    const command = COMMANDS.get(words[0]!);
    if (command === undefined) {
      for (const line of usageLines()) this.io.stderr.write(`${line}\n`);
      throw new CliError(`Command not found: Command not found ${words[0]}`, ExitCode.COMMAND_NOT_FOUND);
    }
    if (command.builtin === true) {
      await command.run(this.context(), [...words]);
      if (this.quitting || command === helpCommand) return;
    }
    if (!this.client.isAlive) {
      this.io.stdout.write('Not connected\n');
      return;
    }
    if (command.builtin !== true) await command.run(this.context(), [...words]);
  }

  /** An interactive line (ZooKeeperMain.executeLine): empty lines are skipped, others numbered. */
  async executeLine(line: string): Promise<void> {
    if (line === '') return;
    this.history.set(this.commandCount, line);
    await this.processWords(splitLine(line));
    this.commandCount++;
  }

  private completer(line: string, callback: CompleterCallback): void {
    const token = line.endsWith(' ') ? '' : (line.split(' ').pop() ?? '');
    if (!token.startsWith('/')) {
      const firstWord = !line.trimStart().includes(' ');
      const hits = firstWord ? [...COMMANDS.keys()].sort().filter((n) => n.startsWith(token)) : [];
      callback(null, [hits, token]);
      return;
    }
    const cut = token.lastIndexOf('/') + 1;
    const dir = cut === 1 ? '/' : token.slice(0, cut - 1);
    const prefix = token.slice(cut);
    this.client.getChildren(dir, false).then(
      (children) => callback(null, [children.filter((c) => c.startsWith(prefix)).sort().map((c) => token.slice(0, cut) + c), token]),
      () => callback(null, [[], token]),
    );
  }

  async interactive(): Promise<void> {
    const terminal = this.terminal;
    if (terminal) {
      this.io.stdout.write(`Connecting to ${this.connectString}\n`);
      await this.client.waitConnected(FIRST_PROMPT_WAIT_MS);
    }
    const rl = readline.createInterface({
      input: this.io.stdin,
      output: terminal ? this.io.stdout : undefined,
      terminal,
      historySize: READLINE_HISTORY_SIZE,
      completer: terminal ? (line: string, cb: CompleterCallback) => this.completer(line, cb) : undefined,
    });
    this.rl = rl;
    rl.on('SIGINT', () => rl.close());
    const showPrompt = (): void => {
      if (!terminal) return;
      rl.setPrompt(this.prompt());
      rl.prompt();
      this.idle = true;
    };
    showPrompt();
    for await (const line of rl) {
      this.idle = false;
      await this.executeLine(line);
      if (this.quitting) break;
      showPrompt();
    }
    this.idle = false;
    rl.close();
    this.rl = null;
  }

  async oneShot(words: readonly string[]): Promise<void> {
    await this.processWords([...words]);
  }

  async waitForSession(): Promise<boolean> {
    return this.client.waitConnected(this.options.sessionTimeoutMs);
  }

  /** Leaves without closing the session, as zkCli does: its ephemeral nodes stay until it expires. */
  abandon(): void {
    this.client.destroy();
  }
}

/** Runs zk-cli; resolves with the process exit code. */
export async function runShell(options: ShellOptions, io: ShellIo): Promise<number> {
  let shell: Shell;
  try {
    shell = new Shell(options, io);
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  try {
    if (options.waitForConnection && !(await shell.waitForSession())) {
      io.stderr.write(`${keeperMessage(Code.CONNECTIONLOSS, undefined)}\n`);
      return ExitCode.ERROR;
    }
    if (options.command.length > 0) await shell.oneShot(options.command);
    else await shell.interactive();
    return shell.exitCode;
  } finally {
    shell.abandon();
  }
}
