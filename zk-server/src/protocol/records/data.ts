// Records of zookeeper.jute's module org.apache.zookeeper.data, in its order and names.

import { jute } from '../../../../shared/src';

const { record, int, long, ustring } = jute;

export const Id = record('Id', [
  ['scheme', ustring],
  ['id', ustring],
] as const);
export type Id = jute.Infer<typeof Id>;

export const ACL = record('ACL', [
  ['perms', int],
  ['id', Id],
] as const);
export type ACL = { perms: number; id: Id };

export const Stat = record('Stat', [
  ['czxid', long],
  ['mzxid', long],
  ['ctime', long],
  ['mtime', long],
  ['version', int],
  ['cversion', int],
  ['aversion', int],
  ['ephemeralOwner', long],
  ['dataLength', int],
  ['numChildren', int],
  ['pzxid', long],
] as const);
export type Stat = jute.Infer<typeof Stat>;

/** The Stat the server keeps on disk: no dataLength or numChildren. */
export const StatPersisted = record('StatPersisted', [
  ['czxid', long],
  ['mzxid', long],
  ['ctime', long],
  ['mtime', long],
  ['version', int],
  ['cversion', int],
  ['aversion', int],
  ['ephemeralOwner', long],
  ['pzxid', long],
] as const);
export type StatPersisted = jute.Infer<typeof StatPersisted>;
