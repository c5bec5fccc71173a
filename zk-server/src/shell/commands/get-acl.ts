// getAcl [-s] path: each ACL as zkCli prints it (`'world,'anyone` then `: cdrwa`), then with -s the stat.

import { ShellCommand, OptionDef, CliError, checkPath, keeper, parseOptions, usageOf } from '../command';
import { aclEntryText, statLines } from '../format';

const OPTIONS: OptionDef[] = [{ name: 's', hasArg: false, description: 'stats' }];

export const getAclCommand: ShellCommand = {
  name: 'getAcl',
  optionStr: '[-s] path',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 2) throw new CliError(usageOf(getAclCommand));
    const path = parsed.args[1]!;
    checkPath(path);
    const { acl, stat } = await keeper(() => ctx.client.getACL(path));
    for (const entry of acl) ctx.out(aclEntryText(entry));
    if (parsed.has('s')) for (const line of statLines(stat)) ctx.out(line);
  },
};
