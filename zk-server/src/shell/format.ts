// zkCli's output formats, reproduced from the Java it is written in: StatPrinter's stat block with
// java.util.Date.toString times and Long.toHexString zxids, the jute CSV form of an Id in getAcl,
// ZKUtil's permission letters, AclParser, PathUtils' messages, KeeperException's and
// CliWrapperException's error texts. Pure: values in, strings out.

import { ACL, Id, Stat } from '../protocol/records/data';
import { Code, KeeperError } from '../protocol/keeper-errors';
import { Perms } from '../data/acl';
import { pathProblem } from '../data/path';
import { EventType } from '../data/watch-events';
import { WatchedEvent } from './zk-shell-client';

const JAVA_DATE = new Intl.DateTimeFormat('en-US', {
  weekday: 'short',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  year: 'numeric',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** java.util.Date.toString(): `EEE MMM dd HH:mm:ss zzz yyyy` in the local time zone. */
export function javaDate(ms: bigint | number): string {
  const parts = new Map(JAVA_DATE.formatToParts(new Date(Number(ms))).map((p) => [p.type, p.value]));
  const part = (name: Intl.DateTimeFormatPartTypes): string => parts.get(name) ?? '';
  const time = `${part('hour')}:${part('minute')}:${part('second')}`;
  return `${part('weekday')} ${part('month')} ${part('day')} ${time} ${part('timeZoneName')} ${part('year')}`;
}

/** Long.toHexString: the 64-bit two's complement, lower case, no leading zeros. */
export function javaHex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

/** StatPrinter.print. */
export function statLines(stat: Stat): string[] {
  return [
    `cZxid = 0x${javaHex(stat.czxid)}`,
    `ctime = ${javaDate(stat.ctime)}`,
    `mZxid = 0x${javaHex(stat.mzxid)}`,
    `mtime = ${javaDate(stat.mtime)}`,
    `pZxid = 0x${javaHex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${javaHex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ];
}

/** ZKUtil.getPermString: letters in the order c d r w a. */
export function permString(perms: number): string {
  const letters: [number, string][] = [
    [Perms.CREATE, 'c'],
    [Perms.DELETE, 'd'],
    [Perms.READ, 'r'],
    [Perms.WRITE, 'w'],
    [Perms.ADMIN, 'a'],
  ];
  return letters.map(([bit, letter]) => ((perms & bit) !== 0 ? letter : '')).join('');
}

/** jute's CsvOutputArchive string escaping. */
function csvString(s: string): string {
  return "'" + s.replace(/[\0\n\r,}%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Id.toString() as jute generates it: `'scheme,'id` and a newline. */
export function idToString(id: Id): string {
  return `${csvString(id.scheme)},${csvString(id.id)}\n`;
}

/** One getAcl entry: Id.toString() + ": " + perms, i.e. two lines. */
export function aclEntryText(acl: ACL): string {
  return `${idToString(acl.id)}: ${permString(acl.perms)}`;
}

const PERM_LETTERS: Record<string, number> = { r: Perms.READ, w: Perms.WRITE, c: Perms.CREATE, d: Perms.DELETE, a: Perms.ADMIN };

/** AclParser.parse: `scheme:id:perm,...`; malformed entries and letters are reported and skipped. */
export function parseAcl(text: string, report: (line: string) => void): ACL[] {
  // String.split: trailing empty entries dropped, but a string without a comma is kept whole
  const entries = text.split(',');
  if (entries.length > 1) while (entries.length > 0 && entries[entries.length - 1] === '') entries.pop();
  const acl: ACL[] = [];
  for (const a of entries) {
    const first = a.indexOf(':');
    const last = a.lastIndexOf(':');
    if (first === -1 || first === last) {
      report(`${a} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const ch of a.slice(last + 1)) {
      const bit = PERM_LETTERS[ch];
      if (bit === undefined) report(`Unknown perm type: ${ch}`);
      else perms |= bit;
    }
    acl.push({ perms, id: { scheme: a.slice(0, first), id: a.slice(first + 1, last) } });
  }
  return acl;
}

/** PathUtils.validatePath's IllegalArgumentException message, or null for a valid path. */
export function pathError(path: string, sequential = false): string | null {
  const checked = sequential ? `${path}1` : path;
  const problem = pathProblem(checked);
  if (problem === null) return null;
  return problem.includes(' @') ? `Invalid path string "${checked}" caused by ${problem}` : problem;
}

const CODE_MESSAGES = new Map<number, string>([
  [Code.OK, 'ok'],
  [Code.SYSTEMERROR, 'SystemError'],
  [Code.RUNTIMEINCONSISTENCY, 'RuntimeInconsistency'],
  [Code.DATAINCONSISTENCY, 'DataInconsistency'],
  [Code.CONNECTIONLOSS, 'ConnectionLoss'],
  [Code.MARSHALLINGERROR, 'MarshallingError'],
  [Code.NEWCONFIGNOQUORUM, 'NewConfigNoQuorum'],
  [Code.RECONFIGINPROGRESS, 'ReconfigInProgress'],
  [Code.UNIMPLEMENTED, 'Unimplemented'],
  [Code.OPERATIONTIMEOUT, 'OperationTimeout'],
  [Code.BADARGUMENTS, 'BadArguments'],
  [Code.APIERROR, 'APIError'],
  [Code.NONODE, 'NoNode'],
  [Code.NOAUTH, 'NoAuth'],
  [Code.BADVERSION, 'BadVersion'],
  [Code.NOCHILDRENFOREPHEMERALS, 'NoChildrenForEphemerals'],
  [Code.NODEEXISTS, 'NodeExists'],
  [Code.INVALIDACL, 'InvalidACL'],
  [Code.AUTHFAILED, 'AuthFailed'],
  [Code.NOTEMPTY, 'Directory not empty'],
  [Code.SESSIONEXPIRED, 'Session expired'],
  [Code.INVALIDCALLBACK, 'Invalid callback'],
  [Code.SESSIONMOVED, 'Session moved'],
  [Code.NOTREADONLY, 'Not a read-only call'],
  [Code.EPHEMERALONLOCALSESSION, 'Ephemeral node on local session'],
  [Code.NOWATCHER, 'No such watcher'],
  [Code.RECONFIGDISABLED, 'Reconfig is disabled'],
  [Code.SESSIONCLOSEDREQUIRESASLAUTH, 'Session closed because client failed to authenticate'],
  [Code.QUOTAEXCEEDED, 'Quota has exceeded'],
  [Code.THROTTLEDOP, 'Op throttled due to high load'],
]);

/** KeeperException.getMessage(). */
export function keeperMessage(err: number, path: string | undefined): string {
  const text = `KeeperErrorCode = ${CODE_MESSAGES.get(err) ?? `Unknown error ${err}`}`;
  return path === undefined || path === '' ? text : `${text} for ${path}`;
}

/** CliWrapperException's message for a KeeperException (Java prints a missing path as "null"). */
export function cliErrorMessage(e: KeeperError): string {
  const path = e.path ?? 'null';
  switch (e.err) {
    case Code.NONODE:
      return `Node does not exist: ${path}`;
    case Code.NOCHILDRENFOREPHEMERALS:
      return `Ephemerals cannot have children: ${path}`;
    case Code.NODEEXISTS:
      return `Node already exists: ${path}`;
    case Code.NOTEMPTY:
      return `Node not empty: ${path}`;
    case Code.NOTREADONLY:
      return `Not a read-only call: ${path}`;
    case Code.INVALIDACL:
      return `Acl is not valid : ${path}`;
    case Code.NOAUTH:
      return `Insufficient permission : ${path}`;
    case Code.BADARGUMENTS:
      return `Arguments are not valid : ${path}`;
    case Code.BADVERSION:
      return `version No is not valid : ${path}`;
    case Code.RECONFIGINPROGRESS:
      return 'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)';
    case Code.NEWCONFIGNOQUORUM:
      return (
        'No quorum of new config is connected and up-to-date with the leader of last commmitted config - try ' +
        'invoking reconfiguration after new servers are connected and synced'
      );
    case Code.QUOTAEXCEEDED:
      return `Quota has exceeded : ${path}`;
    default:
      return keeperMessage(e.err, e.path);
  }
}

const EVENT_TYPE_NAMES = new Map<number, string>([
  [EventType.None, 'None'],
  [EventType.NodeCreated, 'NodeCreated'],
  [EventType.NodeDeleted, 'NodeDeleted'],
  [EventType.NodeDataChanged, 'NodeDataChanged'],
  [EventType.NodeChildrenChanged, 'NodeChildrenChanged'],
  [EventType.DataWatchRemoved, 'DataWatchRemoved'],
  [EventType.ChildWatchRemoved, 'ChildWatchRemoved'],
  [EventType.PersistentWatchRemoved, 'PersistentWatchRemoved'],
]);

/** WatchedEvent.toString(). */
export function watchedEventText(e: WatchedEvent): string {
  return `WatchedEvent state:${e.state} type:${EVENT_TYPE_NAMES.get(e.type) ?? String(e.type)} path:${e.path ?? 'null'}`;
}

/** Java's List.toString: `[a, b]`. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}
