// create [-s] [-e] [-c] [-t ttl] path [data] [acl]: prints `Created <path>` on stderr, as zkCli does.
// Containers use createContainer, TTL nodes createTTL (the server must allow extended types).

import { ShellCommand, OptionDef, CliError, checkPath, parseOptions, usageOf } from '../command';
import { cliErrorMessage, keeperMessage, parseAcl } from '../format';
import { OPEN_ACL_UNSAFE } from '../../data/acl';
import { Code, KeeperError } from '../../protocol/keeper-errors';

const OPTIONS: OptionDef[] = [
  { name: 'e', hasArg: false, description: 'ephemeral' },
  { name: 's', hasArg: false, description: 'sequential' },
  { name: 'c', hasArg: false, description: 'container' },
  { name: 't', hasArg: true, description: 'ttl' },
];

/** CreateMode flags on the wire. */
const Mode = {
  persistent: 0,
  ephemeral: 1,
  sequential: 2,
  ephemeralSequential: 3,
  container: 4,
  ttl: 5,
  sequentialTtl: 6,
} as const;
/** EphemeralType.TTL.maxValue(): 40 bits of milliseconds. */
const TTL_MS_MAX = 0xff_ffff_ffffn;

function parseLong(text: string): bigint | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const v = BigInt(text);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

function createMode(e: boolean, s: boolean, c: boolean, t: boolean): number {
  if (e && s) return Mode.ephemeralSequential;
  if (e) return Mode.ephemeral;
  if (s) return t ? Mode.sequentialTtl : Mode.sequential;
  if (c) return Mode.container;
  return t ? Mode.ttl : Mode.persistent;
}

export const createCommand: ShellCommand = {
  name: 'create',
  optionStr: '[-s] [-e] [-c] [-t ttl] path [data] [acl]',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    if (parsed.args.length < 2) throw new CliError(usageOf(createCommand));
    const [e, s, c, t] = ['e', 's', 'c', 't'].map((o) => parsed.has(o)) as [boolean, boolean, boolean, boolean];
    if (c && (e || s)) throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.');
    const ttl = t ? parseLong(parsed.value('t')!) : 0n;
    if (ttl === null) throw new CliError('-t argument must be a long value');
    if (t && e) throw new CliError('TTLs cannot be used with Ephemeral znodes');
    if (t && c) throw new CliError('TTLs cannot be used with Container znodes');
    const flags = createMode(e, s, c, t);
    if (t && (ttl <= 0n || ttl > TTL_MS_MAX)) throw new CliError(`ttl must be positive and cannot be larger than: ${TTL_MS_MAX}`);
    const path = parsed.args[1]!;
    const data = parsed.args.length > 2 ? Buffer.from(parsed.args[2]!, 'utf8') : null;
    const acl = parsed.args.length > 3 ? parseAcl(parsed.args[3]!, (line) => ctx.err(line)) : [...OPEN_ACL_UNSAFE];
    checkPath(path, s);
    if (acl.length === 0) {
      ctx.err(keeperMessage(Code.INVALIDACL, undefined));
      throw new CliError(cliErrorMessage(new KeeperError(Code.INVALIDACL)));
    }
    try {
      ctx.err(`Created ${await ctx.client.create(path, data, acl, flags, ttl)}`);
    } catch (err) {
      if (!(err instanceof KeeperError)) throw err;
      if (err.err === Code.EPHEMERALONLOCALSESSION) ctx.err('Unable to create ephemeral node on a local session');
      if (err.err === Code.INVALIDACL) ctx.err(keeperMessage(err.err, err.path));
      throw new CliError(cliErrorMessage(err));
    }
  },
};
