// get [-s] [-w] path: the data as UTF-8 (`null` for none), then with -s the stat block.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf } from '../command';
import { statLines } from '../format';

const OPTIONS: OptionDef[] = [
  { name: 's', hasArg: false, description: 'stats' },
  { name: 'w', hasArg: false, description: 'watch' },
];

export const getCommand: ShellCommand = {
  name: 'get',
  optionStr: '[-s] [-w] path',
  async run(ctx, argv) {
    let parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 2) throw new CliError(usageOf(getCommand));
    if (parsed.args.length > 2) {
      argv[2] = '-w';
      ctx.err("'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.");
      parsed = parseOptions(argv, OPTIONS);
    }
    const path = parsed.args[1]!;
    checkPath(path);
    const { data, stat } = await keeper(() => ctx.client.getData(path, parsed.has('w')));
    ctx.out(data === null ? 'null' : data.toString('utf8'));
    if (parsed.has('s')) for (const line of statLines(stat)) ctx.out(line);
  },
};
