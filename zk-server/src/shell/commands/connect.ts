// connect [host:port]: closes the current session and opens one to host:port (or the same server).

import { ShellCommand } from '../command';

export const connectCommand: ShellCommand = {
  name: 'connect',
  optionStr: 'host:port',
  builtin: true,
  async run(ctx, argv) {
    await ctx.session.connect(argv[1] ?? ctx.session.connectString);
  },
};
