import { applyTable, configTypes as t, ConfigError, parseProperties } from '../../../shared/src';

describe('properties file', () => {
  it('parses comments, separators, blanks and continuations with line numbers', () => {
    const entries = parseProperties('# c\n! c\na=1\n b : two \nc\\\n  d=x\n\nemp=\n');
    expect(entries).toEqual([
      { key: 'a', value: '1', line: 3 },
      { key: 'b', value: 'two', line: 4 },
      { key: 'cd', value: 'x', line: 5 },
      { key: 'emp', value: '', line: 8 },
    ]);
  });

  it('names the key and the line of a wrong value', () => {
    const table = { tickTime: { parse: t.int({ min: 1 }), default: 3000, doc: '' } };
    const attempt = (): unknown => applyTable(table, parseProperties('\ntickTime=abc'), 'zoo.cfg');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('zoo.cfg:2: invalid value for tickTime: "abc" is not an integer');
  });

  it('reports a missing required key and passes unknown keys on', () => {
    const table = { dataDir: { parse: t.nonEmpty, doc: '' } };
    expect(() => applyTable(table, [], 'zoo.cfg')).toThrow(/missing required key dataDir/);
    const parsed = applyTable(table, parseProperties('dataDir=/x\nfoo=bar'), 'zoo.cfg');
    expect(parsed.values.dataDir).toBe('/x');
    expect(parsed.unknown.map((e) => e.key)).toEqual(['foo']);
  });
});
