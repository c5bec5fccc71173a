// quit: closes the session and leaves the shell with the exit code of the command before it.

import { ShellCommand } from '../command';

export const quitCommand: ShellCommand = {
  name: 'quit',
  optionStr: '',
  builtin: true,
  async run(ctx) {
    await ctx.client.close();
    ctx.session.quit();
  },
};
