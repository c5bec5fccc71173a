// stat [-w] path: the stat block (exists, so -w also watches a node that is not there yet).

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf } from '../command';
import { cliErrorMessage, statLines } from '../format';
import { Code, KeeperError } from '../../protocol/keeper-errors';

const OPTIONS: OptionDef[] = [{ name: 'w', hasArg: false, description: 'watch' }];

export const statCommand: ShellCommand = {
  name: 'stat',
  optionStr: '[-w] path',
  async run(ctx, argv) {
    let parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 2) throw new CliError(usageOf(statCommand));
    if (parsed.args.length > 2) {
      argv[2] = '-w';
      ctx.err("'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.");
      parsed = parseOptions(argv, OPTIONS);
    }
    const path = parsed.args[1]!;
    checkPath(path);
    const stat = await keeper(() => ctx.client.exists(path, parsed.has('w')));
    if (stat === null) throw new CliError(cliErrorMessage(new KeeperError(Code.NONODE, path)));
    for (const line of statLines(stat)) ctx.out(line);
  },
};
