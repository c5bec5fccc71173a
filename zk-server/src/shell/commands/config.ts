// config [-c] [-w] [-s]: the data of /zookeeper/config (the ensemble's dynamic configuration); -c
// shows it as a client connect string, as ConfigUtils.getClientConfigStr does.

import { ShellCommand, OptionDef, keeper, parseOptions } from '../command';
import { statLines } from '../format';
import { parseProperties } from '../../../../shared/src';

const OPTIONS: OptionDef[] = [
  { name: 's', hasArg: false, description: 'stats' },
  { name: 'w', hasArg: false, description: 'watch' },
  { name: 'c', hasArg: false, description: 'client connection string' },
];
const CONFIG_NODE = '/zookeeper/config';

/** `version host:port,host:port` from the server.N lines' client addresses. */
function clientConfigString(config: string): string {
  let version = '';
  const clients: string[] = [];
  for (const { key, value } of parseProperties(config)) {
    if (key === 'version') version = value;
    if (!key.startsWith('server.')) continue;
    const client = value.split(';')[1];
    if (client === undefined) {
      clients.push('');
      continue;
    }
    const parts = client.split(':');
    clients.push(parts.length === 2 ? `${parts[0]}:${parts[1]}` : `0.0.0.0:${parts[0]}`);
  }
  return `${version} ${clients.join(',')}`;
}

export const configCommand: ShellCommand = {
  name: 'config',
  optionStr: '[-c] [-w] [-s]',
  async run(ctx, argv) {
    const parsed = parseOptions(argv, OPTIONS);
    const { data, stat } = await keeper(() => ctx.client.getData(CONFIG_NODE, parsed.has('w')));
    const text = data === null ? 'null' : data.toString('utf8');
    ctx.out(parsed.has('c') ? clientConfigString(text) : text);
    if (parsed.has('s')) for (const line of statLines(stat)) ctx.out(line);
  },
};
