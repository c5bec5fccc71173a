import fs from 'node:fs';
import path from 'node:path';
import {
  formatCheckpoint,
  parseCheckpoint,
  readCheckpointFile,
  writeCheckpointFile,
} from '../../../../kafka-broker/src/log/checkpoint-file';
import { CodecError } from '../../../../shared/src';
import { makeTempDir, removeTempDir } from './log-test-support';

describe('checkpoint files', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  const entries = [
    { topic: 'orders', partition: 0, offset: 42n },
    { topic: 'my.topic-with-dash', partition: 12, offset: 9_007_199_254_740_993n },
  ];

  it('writes Kafka text format: version, count, then topic partition offset lines', () => {
    expect(formatCheckpoint(entries)).toBe('0\n2\norders 0 42\nmy.topic-with-dash 12 9007199254740993\n');
    expect(formatCheckpoint([])).toBe('0\n0\n');
  });

  it('round-trips through a file written by atomic rename', () => {
    const file = path.join(dir, 'replication-offset-checkpoint');
    writeCheckpointFile(file, entries);
    expect(readCheckpointFile(file)).toEqual(entries);
    expect(fs.readdirSync(dir)).toEqual(['replication-offset-checkpoint']);
  });

  it('reads a missing file as empty', () => {
    expect(readCheckpointFile(path.join(dir, 'nope'))).toEqual([]);
  });

  it('rejects a wrong version, a wrong count and malformed lines', () => {
    expect(() => parseCheckpoint('1\n0\n')).toThrow(CodecError);
    expect(() => parseCheckpoint('0\n2\nt 0 1\n')).toThrow(/declares 2 entries/);
    expect(() => parseCheckpoint('0\n1\nt zero 1\n')).toThrow(CodecError);
    expect(() => parseCheckpoint('0\n1\nt 0\n')).toThrow(CodecError);
  });
});
