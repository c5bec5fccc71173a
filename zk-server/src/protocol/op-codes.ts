// ZooDefs.OpCode as one table: code, name, kind and the short name `cons` shows as `lop`.
// Dispatch, the read/write split and four-letter-word output all derive from it.

export const enum Op {
  notification = 0,
  create = 1,
  delete = 2,
  exists = 3,
  getData = 4,
  setData = 5,
  getACL = 6,
  setACL = 7,
  getChildren = 8,
  sync = 9,
  ping = 11,
  getChildren2 = 12,
  check = 13,
  multi = 14,
  create2 = 15,
  reconfig = 16,
  checkWatches = 17,
  removeWatches = 18,
  createContainer = 19,
  deleteContainer = 20,
  createTTL = 21,
  multiRead = 22,
  auth = 100,
  setWatches = 101,
  sasl = 102,
  getEphemerals = 103,
  getAllChildrenNumber = 104,
  setWatches2 = 105,
  addWatch = 106,
  whoAmI = 107,
  createSession = -10,
  closeSession = -11,
  error = -1,
}

/** How the pipeline treats an op: `write` makes a transaction (and consumes a zxid, even on failure). */
export type OpKind = 'read' | 'write' | 'session' | 'control';

export interface OpInfo {
  readonly code: Op;
  readonly name: string;
  readonly kind: OpKind;
  /** The four-letter abbreviation upstream shows for the last operation of a connection. */
  readonly shortName: string;
}

const TABLE: readonly OpInfo[] = [
  { code: Op.create, name: 'create', kind: 'write', shortName: 'CREA' },
  { code: Op.delete, name: 'delete', kind: 'write', shortName: 'DELE' },
  { code: Op.exists, name: 'exists', kind: 'read', shortName: 'EXIS' },
  { code: Op.getData, name: 'getData', kind: 'read', shortName: 'GETD' },
  { code: Op.setData, name: 'setData', kind: 'write', shortName: 'SETD' },
  { code: Op.getACL, name: 'getACL', kind: 'read', shortName: 'GETA' },
  { code: Op.setACL, name: 'setACL', kind: 'write', shortName: 'SETA' },
  { code: Op.getChildren, name: 'getChildren', kind: 'read', shortName: 'GETC' },
  { code: Op.sync, name: 'sync', kind: 'read', shortName: 'SYNC' },
  { code: Op.ping, name: 'ping', kind: 'control', shortName: 'PING' },
  { code: Op.getChildren2, name: 'getChildren2', kind: 'read', shortName: 'GETC' },
  { code: Op.check, name: 'check', kind: 'write', shortName: 'CHEC' },
  { code: Op.multi, name: 'multi', kind: 'write', shortName: 'MULT' },
  { code: Op.create2, name: 'create2', kind: 'write', shortName: 'CREA' },
  { code: Op.reconfig, name: 'reconfig', kind: 'write', shortName: 'RECO' },
  { code: Op.checkWatches, name: 'checkWatches', kind: 'read', shortName: 'CHKW' },
  { code: Op.removeWatches, name: 'removeWatches', kind: 'read', shortName: 'REMW' },
  { code: Op.createContainer, name: 'createContainer', kind: 'write', shortName: 'CREA' },
  { code: Op.deleteContainer, name: 'deleteContainer', kind: 'write', shortName: 'DELE' },
  { code: Op.createTTL, name: 'createTTL', kind: 'write', shortName: 'CREA' },
  { code: Op.multiRead, name: 'multiRead', kind: 'read', shortName: 'MLTR' },
  { code: Op.auth, name: 'auth', kind: 'control', shortName: 'AUTH' },
  { code: Op.setWatches, name: 'setWatches', kind: 'read', shortName: 'SETW' },
  { code: Op.sasl, name: 'sasl', kind: 'control', shortName: 'SASL' },
  { code: Op.getEphemerals, name: 'getEphemerals', kind: 'read', shortName: 'GETE' },
  { code: Op.getAllChildrenNumber, name: 'getAllChildrenNumber', kind: 'read', shortName: 'GACN' },
  { code: Op.setWatches2, name: 'setWatches2', kind: 'read', shortName: 'SETW' },
  { code: Op.addWatch, name: 'addWatch', kind: 'read', shortName: 'ADDW' },
  { code: Op.whoAmI, name: 'whoAmI', kind: 'read', shortName: 'WHOA' },
  { code: Op.createSession, name: 'createSession', kind: 'session', shortName: 'SESS' },
  { code: Op.closeSession, name: 'closeSession', kind: 'session', shortName: 'CLOS' },
];

const BY_CODE = new Map<number, OpInfo>(TABLE.map((info) => [info.code, info]));

export function opInfo(code: number): OpInfo | undefined {
  return BY_CODE.get(code);
}

/** Ops that create a znode; the flags and txn record vary, the prep step is shared. */
export function isCreateOp(code: number): boolean {
  return code === Op.create || code === Op.create2 || code === Op.createContainer || code === Op.createTTL;
}
