// ls [-s] [-w] [-R] path: children sorted as `[a, b]` (with -s the parent's stat block); -R prints
// the whole subtree, one path a line. `ls path watch` is the deprecated form of -w.

import { ShellCommand, OptionDef, CliError, checkPath, helpText, keeper, parseOptions, usageOf } from '../command';
import { javaList, statLines } from '../format';
import { visitSubtree } from '../subtree';

const OPTIONS: OptionDef[] = [
  { name: '?', hasArg: false, description: 'help' },
  { name: 's', hasArg: false, description: 'stat' },
  { name: 'w', hasArg: false, description: 'watch' },
  { name: 'R', hasArg: false, description: 'recurse' },
];

export const lsCommand: ShellCommand = {
  name: 'ls',
  optionStr: '[-s] [-w] [-R] path',
  async run(ctx, argv) {
    let parsed = parseOptions(argv, OPTIONS);
    if (parsed.has('?')) for (const line of helpText('ls [options] path', OPTIONS)) ctx.out(line);
    if (parsed.args.length > 2) {
      argv[2] = '-w';
      ctx.err("'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.");
      parsed = parseOptions(argv, OPTIONS);
    }
    if (parsed.args.length < 2) throw new CliError(usageOf(lsCommand));
    const path = parsed.args[1]!;
    const watch = parsed.has('w');
    checkPath(path);
    if (parsed.has('R')) {
      await keeper(() => visitSubtree(ctx.client, path, watch, (p) => ctx.out(p)));
      return;
    }
    if (parsed.has('s')) {
      const { children, stat } = await keeper(() => ctx.client.getChildren2(path, watch));
      ctx.out(javaList(children.sort()));
      for (const line of statLines(stat)) ctx.out(line);
      return;
    }
    const children = await keeper(() => ctx.client.getChildren(path, watch));
    ctx.out(javaList(children.sort()));
  },
};
