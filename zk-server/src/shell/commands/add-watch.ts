// addWatch [-m mode] path: a persistent watch (PERSISTENT) or one on the whole subtree
// (PERSISTENT_RECURSIVE, the default); its events print until removewatches or the session ends.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf } from '../command';

const OPTIONS: OptionDef[] = [{ name: 'm', hasArg: true, description: '' }];
const MODES = ['PERSISTENT', 'PERSISTENT_RECURSIVE'] as const;

export const addWatchCommand: ShellCommand = {
  name: 'addWatch',
  optionStr: `[-m mode] path # optional mode is one of [${MODES.join(', ')}] - default is PERSISTENT_RECURSIVE`,
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length !== 2) throw new CliError(usageOf(addWatchCommand));
    const mode = (parsed.value('m') ?? 'PERSISTENT_RECURSIVE').toUpperCase();
    if (!(MODES as readonly string[]).includes(mode)) throw new CliError(usageOf(addWatchCommand));
    const path = parsed.args[1]!;
    checkPath(path);
    await keeper(() => ctx.client.addWatch(path, mode === 'PERSISTENT_RECURSIVE'));
  },
};
