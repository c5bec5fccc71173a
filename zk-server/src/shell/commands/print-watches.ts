// printwatches on|off: whether watch events are printed.

import { ShellCommand } from '../command';

export const printWatchesCommand: ShellCommand = {
  name: 'printwatches',
  optionStr: 'on|off',
  builtin: true,
  async run(ctx, argv) {
    if (argv.length === 1) ctx.out(`printwatches is ${ctx.session.printWatches ? 'on' : 'off'}`);
    else ctx.session.printWatches = argv[1] === 'on';
  },
};
