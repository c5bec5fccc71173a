// set [-s] [-v version] path data: silent unless -s, which prints the new stat block.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf, versionOption } from '../command';
import { statLines } from '../format';

const OPTIONS: OptionDef[] = [
  { name: 's', hasArg: false, description: 'stats' },
  { name: 'v', hasArg: true, description: 'version' },
];

export const setCommand: ShellCommand = {
  name: 'set',
  optionStr: '[-s] [-v version] path data',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 3) throw new CliError(usageOf(setCommand));
    const path = parsed.args[1]!;
    const data = Buffer.from(parsed.args[2]!, 'utf8');
    const version = versionOption(parsed);
    checkPath(path);
    const stat = await keeper(() => ctx.client.setData(path, data, version));
    if (parsed.has('s')) for (const line of statLines(stat)) ctx.out(line);
  },
};
