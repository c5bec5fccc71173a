// help: the command list (zkCli prints the same list, on stderr, for a command it does not know).

import { ShellCommand } from '../command';

export const helpCommand: ShellCommand = {
  name: 'help',
  optionStr: '',
  builtin: true,
  async run(ctx) {
    for (const line of ctx.session.usageLines()) ctx.out(line);
  },
};
