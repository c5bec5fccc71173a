// setAcl [-s] [-v version] [-R] path acl. With -R every node of the subtree gets the ACL; failures on
// single nodes are printed (without a newline, as zkCli does) and do not stop the walk.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf, versionOption } from '../command';
import { cliErrorMessage, keeperMessage, parseAcl, statLines } from '../format';
import { Code, KeeperError } from '../../protocol/keeper-errors';
import { visitSubtree } from '../subtree';

const OPTIONS: OptionDef[] = [
  { name: 's', hasArg: false, description: 'stats' },
  { name: 'v', hasArg: true, description: 'version' },
  { name: 'R', hasArg: false, description: 'recursive' },
];

export const setAclCommand: ShellCommand = {
  name: 'setAcl',
  optionStr: '[-s] [-v version] [-R] path acl',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 3) throw new CliError(usageOf(setAclCommand));
    const path = parsed.args[1]!;
    const acl = parseAcl(parsed.args[2]!, (line) => ctx.err(line));
    const version = versionOption(parsed);
    checkPath(path);
    if (parsed.has('R')) {
      await keeper(() =>
        visitSubtree(ctx.client, path, false, async (p) => {
          if (acl.length === 0) return ctx.write(keeperMessage(Code.INVALIDACL, undefined));
          await ctx.client.setACL(p, acl, version).catch((e: unknown) => {
            if (!(e instanceof KeeperError)) throw e;
            ctx.write(keeperMessage(e.err, e.path));
          });
        }),
      );
      return;
    }
    if (acl.length === 0) throw new CliError(cliErrorMessage(new KeeperError(Code.INVALIDACL)));
    const stat = await keeper(() => ctx.client.setACL(path, acl, version));
    if (parsed.has('s')) for (const line of statLines(stat)) ctx.out(line);
  },
};
