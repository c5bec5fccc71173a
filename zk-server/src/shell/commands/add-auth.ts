// addauth scheme auth: adds an identity to the session (digest user:password, ip, ...). The server's
// answer comes later; a refusal shows as an AuthFailed event and ends the session.

import { ShellCommand, CliError, parseOptions, usageOf } from '../command';

export const addAuthCommand: ShellCommand = {
  name: 'addauth',
  optionStr: 'scheme auth',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, []);
    if (parsed.args.length < 2) throw new CliError(usageOf(addAuthCommand));
    const auth = parsed.args.length >= 3 ? Buffer.from(parsed.args[2]!, 'utf8') : null;
    ctx.client.addAuthInfo(parsed.args[1]!, auth);
  },
};
