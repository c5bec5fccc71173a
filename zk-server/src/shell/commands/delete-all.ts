// deleteall path [-b batch size]: the subtree, leaves first, in multi batches (ZKUtil.deleteRecursive).
// A failed batch stops the rest and is reported, with exit code 0, as zkCli does.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseJavaInt, parseOptions, usageOf } from '../command';
import { listSubtree } from '../subtree';

const OPTIONS: OptionDef[] = [{ name: 'b', hasArg: true, description: 'batch size' }];
const BATCH_SIZE_DEFAULT = 1000;

export const deleteAllCommand: ShellCommand = {
  name: 'deleteall',
  optionStr: 'path [-b batch size]',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 2) throw new CliError(usageOf(deleteAllCommand));
    const batchText = parsed.value('b');
    const batchSize = batchText === undefined ? BATCH_SIZE_DEFAULT : parseJavaInt(batchText);
    if (batchSize === null) throw new CliError('-b argument must be an int value');
    const path = parsed.args[1]!;
    checkPath(path);
    const tree = await keeper(() => listSubtree(ctx.client, path));
    const leavesFirst = tree.reverse();
    // a batch size below 1 never fills, so everything goes in one multi (as in ZKUtil)
    const size = batchSize < 1 ? leavesFirst.length : batchSize;
    for (let at = 0; at < leavesFirst.length; at += size) {
      const err = await ctx.client.multiDelete(leavesFirst.slice(at, at + size));
      if (err !== 0) {
        ctx.err('Failed to delete some node(s) in the subtree!');
        return;
      }
    }
  },
};
