// The shell's pure parts: zkCli's output formats, commons-cli option parsing, line splitting, and
// the client's record of its watches.
import { CliError, parseOptions } from '../../../../zk-server/src/shell/command';
import { ClientWatches } from '../../../../zk-server/src/shell/client-watches';
import { aclEntryText, cliErrorMessage, javaDate, javaHex, keeperMessage, parseAcl, pathError, permString } from '../../../../zk-server/src/shell/format';
import { splitLine } from '../../../../zk-server/src/shell/line-parser';
import { Code, KeeperError } from '../../../../zk-server/src/protocol/keeper-errors';
import { EventType, WatcherType } from '../../../../zk-server/src/data/watch-events';

const OPTS = [
  { name: 's', hasArg: false, description: 'stats' },
  { name: 'w', hasArg: false, description: 'watch' },
  { name: 'v', hasArg: true, description: 'version' },
];

describe('zkCli output formats', () => {
  it('formats times as java.util.Date.toString does', () => {
    const tz = process.env['TZ'];
    if (tz === undefined || tz === 'UTC' || tz === 'Etc/UTC') {
      expect(javaDate(0n)).toMatch(/^Thu Jan 01 00:00:00 (UTC|GMT) 1970$/);
    }
    expect(javaDate(1_795_000_000_000n)).toMatch(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \S+ \d{4}$/);
  });

  it('prints longs as Long.toHexString does', () => {
    expect(javaHex(0n)).toBe('0');
    expect(javaHex(0x3fn)).toBe('3f');
    expect(javaHex(-(2n ** 63n))).toBe('8000000000000000');
    expect(javaHex(-1n)).toBe('ffffffffffffffff');
  });

  it('prints permissions and ids as getAcl does', () => {
    expect(permString(31)).toBe('cdrwa');
    expect(permString(1 | 16)).toBe('ra');
    expect(aclEntryText({ perms: 31, id: { scheme: 'world', id: 'anyone' } })).toBe("'world,'anyone\n: cdrwa");
    expect(aclEntryText({ perms: 1, id: { scheme: 'x', id: 'a,b}%' } })).toBe("'x,'a%2Cb%7D%25\n: r");
  });

  it('parses ACLs as AclParser does, reporting what it skips', () => {
    const reported: string[] = [];
    const acl = parseAcl('world:anyone:rwz,bad,digest:u:h=:cd', (l) => reported.push(l));
    expect(acl).toEqual([
      { perms: 3, id: { scheme: 'world', id: 'anyone' } },
      { perms: 12, id: { scheme: 'digest', id: 'u:h=' } },
    ]);
    expect(reported).toEqual(['Unknown perm type: z', 'bad does not have the form scheme:id:perm']);
    expect(parseAcl('', (l) => reported.push(l))).toEqual([]);
    expect(reported[reported.length - 1]).toBe(' does not have the form scheme:id:perm');
  });

  it('gives PathUtils messages', () => {
    expect(pathError('/a/b')).toBeNull();
    expect(pathError('a')).toBe('Path must start with / character');
    expect(pathError('/a/')).toBe('Path must not end with / character');
    expect(pathError('/a/', true)).toBeNull();
    expect(pathError('/a//b')).toBe('Invalid path string "/a//b" caused by empty node name specified @3');
  });

  it('gives KeeperException and CliWrapperException texts', () => {
    expect(keeperMessage(Code.NOTEMPTY, '/x')).toBe('KeeperErrorCode = Directory not empty for /x');
    expect(keeperMessage(Code.INVALIDACL, undefined)).toBe('KeeperErrorCode = InvalidACL');
    expect(cliErrorMessage(new KeeperError(Code.NONODE, '/x'))).toBe('Node does not exist: /x');
    expect(cliErrorMessage(new KeeperError(Code.INVALIDACL))).toBe('Acl is not valid : null');
    expect(cliErrorMessage(new KeeperError(Code.UNIMPLEMENTED, '/t'))).toBe('KeeperErrorCode = Unimplemented for /t');
  });
});

describe('option parsing (commons-cli DefaultParser)', () => {
  it('takes options anywhere, in groups and with attached values', () => {
    const p = parseOptions(['ls', '-sw', '/a', '-v5'], OPTS);
    expect(p.args).toEqual(['ls', '/a']);
    expect(p.has('s') && p.has('w')).toBe(true);
    expect(p.value('v')).toBe('5');
    expect(parseOptions(['set', '-v', '-1', '/a', 'd'], OPTS).value('v')).toBe('-1');
    expect(parseOptions(['create', '/a', '--', '-5'], OPTS).args).toEqual(['create', '/a', '-5']);
  });

  it('fails as commons-cli does', () => {
    expect(() => parseOptions(['ls', '-x'], OPTS)).toThrow(new CliError('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x'));
    expect(() => parseOptions(['set', '-v'], OPTS)).toThrow('org.apache.commons.cli.MissingArgumentException: Missing argument for option: v');
    expect(() => parseOptions(['set', '-v', '-s'], OPTS)).toThrow('Missing argument for option: v');
  });
});

describe('line splitting', () => {
  it('keeps quoted words whole and drops their quotes', () => {
    expect(splitLine('create /a "two words" \'x y\'')).toEqual(['create', '/a', 'two words', 'x y']);
    expect(splitLine('  ls   /  ')).toEqual(['ls', '/']);
    expect(splitLine('set /a "unclosed')).toEqual(['set', '/a', 'unclosed']);
  });
});

describe('client watch record', () => {
  it('uses up one-shot watches and keeps persistent ones', () => {
    const w = new ClientWatches();
    w.add('data', '/a');
    w.add('child', '/a');
    w.add('persistentRecursive', '/r');
    expect(w.materialize(EventType.NodeDataChanged, '/a')).toBe(true);
    expect(w.materialize(EventType.NodeDataChanged, '/a')).toBe(false);
    expect(w.materialize(EventType.NodeChildrenChanged, '/a')).toBe(true);
    expect(w.materialize(EventType.NodeCreated, '/r/x/y')).toBe(true);
    expect(w.materialize(EventType.NodeChildrenChanged, '/r')).toBe(false);
    expect(w.materialize(EventType.NodeCreated, '/other')).toBe(false);
  });

  it('removes by watcher type and names the removal events', () => {
    const w = new ClientWatches();
    w.add('exist', '/a');
    w.add('child', '/a');
    w.add('persistent', '/a');
    expect(w.contains('/b', WatcherType.Any)).toBe(false);
    expect(w.remove('/a', WatcherType.Data)).toEqual([EventType.DataWatchRemoved]);
    expect(w.remove('/a', WatcherType.Any)).toEqual([EventType.ChildWatchRemoved, EventType.PersistentWatchRemoved]);
    expect(w.isEmpty).toBe(true);
  });
});
