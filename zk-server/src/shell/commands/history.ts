// history: the last ten lines entered, numbered for redo.

import { ShellCommand } from '../command';

const HISTORY_SHOWN = 10;

export const historyCommand: ShellCommand = {
  name: 'history',
  optionStr: '',
  builtin: true,
  async run(ctx) {
    const { history, commandCount } = ctx.session;
    for (let i = Math.max(0, commandCount - HISTORY_SHOWN); i <= commandCount; i++) ctx.out(`${i} - ${history.get(i) ?? 'null'}`);
  },
};
