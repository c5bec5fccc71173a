// getEphemerals [path]: this session's ephemeral nodes, all of them or those under a path prefix.

import { ShellCommand, checkPath, keeper, parseOptions } from '../command';
import { javaList } from '../format';

export const getEphemeralsCommand: ShellCommand = {
  name: 'getEphemerals',
  optionStr: 'path',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, []);
    const prefix = parsed.args[1];
    if (prefix !== undefined) checkPath(prefix);
    ctx.out(javaList(await keeper(() => ctx.client.getEphemerals(prefix ?? '/'))));
  },
};
