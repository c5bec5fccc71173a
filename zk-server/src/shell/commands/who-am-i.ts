// whoami: the identities the server has for this session (`ip: 127.0.0.1`, `digest: alice`).

import { ShellCommand, keeper } from '../command';

export const whoAmICommand: ShellCommand = {
  name: 'whoami',
  optionStr: '',
  async run(ctx) {
    const infos = await keeper(() => ctx.client.whoAmI());
    ctx.out('Auth scheme: User');
    for (const info of infos) ctx.out(`${info.authScheme}: ${info.user}`);
  },
};
