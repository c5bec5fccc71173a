// close: ends the session (its ephemeral nodes go); the shell stays, `connect` opens a new one.

import { ShellCommand } from '../command';

export const closeCommand: ShellCommand = {
  name: 'close',
  optionStr: '',
  async run(ctx) {
    await ctx.client.close();
  },
};
