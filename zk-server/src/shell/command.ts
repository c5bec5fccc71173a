// What a shell command is and what it is given: the ShellCommand interface, the context (client,
// output, session), CliError with zkCli's exit code, and the option parser every zkCli command
// uses (Apache commons-cli's DefaultParser, with its exact error texts). Commands live one per file
// in commands/; the table that names them all is in shell.ts.

import { BaseError } from '../../../shared/src';
import { ExitCode } from '../../../shared/src/cli/exit-codes';
import { KeeperError } from '../protocol/keeper-errors';
import { ZkShellClient } from './zk-shell-client';
import { cliErrorMessage, pathError } from './format';

/** A command failed; `message` is printed on stderr and the shell's exit code becomes `exitCode`. */
export class CliError extends BaseError {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.ERROR,
  ) {
    super('CLI', message);
  }
}

/** The shell state commands may read or change (history, printwatches, connect, quit). */
export interface ShellSession {
  readonly connectString: string;
  readonly history: ReadonlyMap<number, string>;
  readonly commandCount: number;
  printWatches: boolean;
  /** Replaces the current session by a new one to `connectString` (the current one is closed). */
  connect(connectString: string): Promise<void>;
  /** Ends the shell after this command. */
  quit(): void;
  /** Runs a line again as `redo` does, recording it under the current history number. */
  redo(line: string): Promise<void>;
  /** The command list zkCli prints as its usage. */
  usageLines(): string[];
}

export interface ShellContext {
  readonly client: ZkShellClient;
  readonly session: ShellSession;
  /** println on stdout. */
  out(line: string): void;
  /** print on stdout, no newline. */
  write(text: string): void;
  /** println on stderr. */
  err(line: string): void;
}

export interface ShellCommand {
  readonly name: string;
  /** What follows the name in the usage list, e.g. `[-s] [-w] path`. */
  readonly optionStr: string;
  /**
   * Handled by the shell itself before its session check, as zkCli's built-ins are (history, redo,
   * printwatches, connect, quit); the others need a live session and print `Not connected` otherwise.
   */
  readonly builtin?: boolean;
  run(ctx: ShellContext, argv: string[]): Promise<void>;
}

/** `name optionStr`, CliCommand.getUsageStr(). */
export function usageOf(command: ShellCommand): string {
  return `${command.name} ${command.optionStr}`;
}

export interface OptionDef {
  readonly name: string;
  readonly hasArg: boolean;
  readonly description: string;
}

export interface ParsedArgs {
  /** Non-option tokens, the command name first (commons-cli's getArgs()). */
  readonly args: string[];
  has(name: string): boolean;
  value(name: string): string | undefined;
}

const UNRECOGNIZED = 'org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: ';
const MISSING_ARGUMENT = 'org.apache.commons.cli.MissingArgumentException: Missing argument for option: ';

/** commons-cli DefaultParser over short options: groups (-sw), attached values (-v5, -v=5), `--`. */
export function parseOptions(tokens: readonly string[], defs: readonly OptionDef[]): ParsedArgs {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const args: string[] = [];
  const values = new Map<string, string | true>();
  let awaiting = null as OptionDef | null; // set by take(), which TS does not follow
  let onlyArgs = false;
  const requireNone = (): void => {
    if (awaiting !== null) throw new CliError(`${MISSING_ARGUMENT}${awaiting.name}`);
  };
  const take = (def: OptionDef): void => {
    requireNone();
    if (def.hasArg) awaiting = def;
    else values.set(def.name, true);
  };
  // commons-cli's isOption: a dash and a known option letter (a negative number may still be a value)
  const isOptionToken = (t: string): boolean =>
    t.startsWith('-') && t.length > 1 && byName.has(t.slice(1).split('=')[0]!.charAt(0));
  for (const token of tokens) {
    if (onlyArgs) {
      args.push(token);
    } else if (token === '--') {
      onlyArgs = true;
    } else if (awaiting !== null && (!isOptionToken(token) || /^-\d+(\.\d+)?$/.test(token))) {
      values.set(awaiting.name, token);
      awaiting = null;
    } else if (token.startsWith('-') && token !== '-') {
      const t = token.slice(1);
      const eq = t.indexOf('=');
      const exact = byName.get(eq === -1 ? t : '');
      if (exact !== undefined) {
        take(exact);
      } else if (eq !== -1) {
        const def = byName.get(t.slice(0, eq));
        if (def === undefined || !def.hasArg) throw new CliError(`${UNRECOGNIZED}${token}`);
        take(def);
        values.set(def.name, t.slice(eq + 1));
        awaiting = null;
      } else {
        for (let i = 0; i < t.length; i++) {
          const def = byName.get(t.charAt(i));
          if (def === undefined) throw new CliError(`${UNRECOGNIZED}${token}`);
          take(def);
          if (def.hasArg && i + 1 < t.length) {
            values.set(def.name, t.slice(i + 1));
            awaiting = null;
            break;
          }
        }
      }
    } else {
      args.push(token);
    }
  }
  requireNone();
  return {
    args,
    has: (name) => values.has(name),
    value: (name) => {
      const v = values.get(name);
      return typeof v === 'string' ? v : undefined;
    },
  };
}

/** commons-cli HelpFormatter.printHelp(syntax, options), as `ls -?` prints it. */
export function helpText(syntax: string, defs: readonly OptionDef[]): string[] {
  const key = (d: OptionDef): string => d.name.toLowerCase();
  const sorted = [...defs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const width = Math.max(...sorted.map((d) => d.name.length + (d.hasArg ? 6 : 0)));
  return [
    `usage: ${syntax}`,
    ...sorted.map((d) => ` -${(d.name + (d.hasArg ? ' <arg>' : '')).padEnd(width)}   ${d.description}`.trimEnd()),
  ];
}

/** Checks a path the way the Java client does before sending; throws zkCli's MalformedPathException text. */
export function checkPath(path: string, sequential = false): void {
  const problem = pathError(path, sequential);
  if (problem !== null) throw new CliError(problem);
}

/** Integer.parseInt, which zkCli uses for versions and which accepts an optional sign and digits only. */
export function parseJavaInt(text: string): number | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : null;
}

/** A version option (-v): zkCli dies with NumberFormatException on a bad one; we report it the same way. */
export function versionOption(parsed: ParsedArgs): number {
  const text = parsed.value('v');
  if (text === undefined) return -1;
  const v = parseJavaInt(text);
  if (v === null) throw new CliError(`java.lang.NumberFormatException: For input string: "${text}"`);
  return v;
}

/** Runs a client call and turns a KeeperError into zkCli's CliWrapperException text. */
export async function keeper<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof KeeperError) throw new CliError(cliErrorMessage(e));
    throw e;
  }
}
