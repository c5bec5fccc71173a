// sync path: waits until the server this session is on has caught up with the leader.

import { ShellCommand, CliError, checkPath, parseOptions, usageOf } from '../command';
import { KeeperError } from '../../protocol/keeper-errors';

export const syncCommand: ShellCommand = {
  name: 'sync',
  optionStr: 'path',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, []);
    if (parsed.args.length < 2) throw new CliError(usageOf(syncCommand));
    const path = parsed.args[1]!;
    checkPath(path);
    const rc = await ctx.client.sync(path).then(
      () => 0,
      (e: unknown) => {
        if (e instanceof KeeperError) return e.err;
        throw e;
      },
    );
    ctx.out(rc === 0 ? 'Sync is OK' : `Sync has failed. rc=${rc}`);
  },
};
