// getAllChildrenNumber path: the number of nodes below path, at any depth.

import { ShellCommand, CliError, checkPath, keeper, parseOptions, usageOf } from '../command';

export const getAllChildrenNumberCommand: ShellCommand = {
  name: 'getAllChildrenNumber',
  optionStr: 'path',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, []);
    if (parsed.args.length < 2) throw new CliError(usageOf(getAllChildrenNumberCommand));
    const path = parsed.args[1]!;
    checkPath(path);
    ctx.out(String(await keeper(() => ctx.client.getAllChildrenNumber(path))));
  },
};
