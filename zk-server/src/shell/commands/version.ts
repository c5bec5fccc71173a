// version: the CLI's version line.

import { ShellCommand, CliError, parseOptions, usageOf } from '../command';
import { ZOOKEEPER_VERSION } from '../../limits';

export const versionCommand: ShellCommand = {
  name: 'version',
  optionStr: '',
  async run(ctx, argv) {
    if (parseOptions(argv, []).args.length > 1) throw new CliError(usageOf(versionCommand));
    ctx.out(`ZooKeeper CLI version: ${ZOOKEEPER_VERSION}-zk-kafka`);
  },
};
