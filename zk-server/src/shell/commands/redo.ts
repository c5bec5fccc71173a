// redo cmdno: runs line number cmdno of the history again.

import { ShellCommand, CliError, parseJavaInt } from '../command';
import { splitLine } from '../line-parser';

export const redoCommand: ShellCommand = {
  name: 'redo',
  optionStr: 'cmdno',
  builtin: true,
  async run(ctx, argv) {
    if (argv.length < 2) return;
    const index = parseJavaInt(argv[1]!);
    if (index === null) throw new CliError(`java.lang.NumberFormatException: For input string: "${argv[1]}"`);
    const { history, commandCount } = ctx.session;
    if (commandCount <= index || index < 0) throw new CliError('Command index out of range');
    const line = history.get(index) ?? '';
    if (splitLine(line)[0] === 'redo') throw new CliError('No redoing redos');
    await ctx.session.redo(line);
  },
};
