// removewatches path [-c|-d|-a] [-l]: removes this session's child (-c), data (-d) or all (-a, the
// default) watches on path; -l removes them locally even when the server cannot be reached.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf } from '../command';
import { WatcherType } from '../../data/watch-events';

const OPTIONS: OptionDef[] = [
  { name: 'c', hasArg: false, description: 'child watcher type' },
  { name: 'd', hasArg: false, description: 'data watcher type' },
  { name: 'a', hasArg: false, description: 'any watcher type' },
  { name: 'l', hasArg: false, description: 'remove locally when there is no server connection' },
];

export const removeWatchesCommand: ShellCommand = {
  name: 'removewatches',
  optionStr: 'path [-c|-d|-a] [-l]',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 2) throw new CliError(usageOf(removeWatchesCommand));
    const path = parsed.args[1]!;
    const type = parsed.has('c') ? WatcherType.Children : parsed.has('d') ? WatcherType.Data : WatcherType.Any;
    checkPath(path);
    await keeper(() => ctx.client.removeWatches(path, type, parsed.has('l')));
  },
};
