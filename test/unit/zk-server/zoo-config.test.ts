import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseZooConfig } from '../../../zk-server/src/config/zoo-config';

describe('zoo.cfg', () => {
  it('applies upstream defaults', () => {
    const c = parseZooConfig('tickTime=2000\ndataDir=/tmp/zk\nclientPort=2181\n', 'zoo.cfg');
    expect(c.minSessionTimeoutMs).toBe(4000);
    expect(c.maxSessionTimeoutMs).toBe(40000);
    expect(c.maxClientCnxns).toBe(60);
    expect(c.dataLogDir).toBe('/tmp/zk');
    expect(c.fourLetterWords).toEqual(new Set(['srvr']));
    expect(c.forceSync).toBe(true);
    expect(c.serverId).toBe(0);
  });

  it('names the key and line of a wrong value', () => {
    expect(() => parseZooConfig('dataDir=/x\nclientPort=2181\ntickTime=-5\n', 'zoo.cfg')).toThrow(
      'zoo.cfg:3: invalid value for tickTime: -5 is below the minimum 1',
    );
    expect(() => parseZooConfig('dataDir=/x\nclientPort=2181\nforceSync=maybe\n', 'zoo.cfg')).toThrow(/zoo.cfg:3: .*forceSync/);
    expect(() => parseZooConfig('clientPort=2181\n', 'zoo.cfg')).toThrow(/missing required key dataDir/);
    expect(() => parseZooConfig('dataDir=/x\nclientPort=2181\nserver.1=host:notaport:3888\n', 'zoo.cfg')).toThrow(
      /zoo.cfg:3: invalid value for server.1/,
    );
  });

  it('reads server.N lines and myid for an ensemble', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zoocfg-'));
    try {
      writeFileSync(join(dir, 'myid'), '2\n');
      const text = `dataDir=${dir}\nclientPort=2181\nserver.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888:observer;127.0.0.3:2181\n`;
      const c = parseZooConfig(text, 'zoo.cfg');
      expect(c.serverId).toBe(2);
      expect(c.servers).toHaveLength(3);
      expect(c.servers[2]).toMatchObject({ id: 3, host: '127.0.0.3', quorumPort: 2888, electionPort: 3888, role: 'observer', clientPort: 2181 });
      rmSync(join(dir, 'myid'));
      expect(() => parseZooConfig(text, 'zoo.cfg')).toThrow(/myid file is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
