// delete [-v version] path. The deprecated `delete path version` form warns and, as in zkCli,
// ignores the version.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf, versionOption } from '../command';

const OPTIONS: OptionDef[] = [{ name: 'v', hasArg: true, description: 'version' }];

export const deleteCommand: ShellCommand = {
  name: 'delete',
  optionStr: '[-v version] path',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 2) throw new CliError(usageOf(deleteCommand));
    if (parsed.args.length > 2) {
      ctx.err("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.");
    }
    const path = parsed.args[1]!;
    const version = versionOption(parsed);
    checkPath(path);
    await keeper(() => ctx.client.delete(path, version));
  },
};
