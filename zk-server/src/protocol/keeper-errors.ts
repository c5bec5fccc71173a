// KeeperException.Code: the error-code table, and KeeperError, the typed error the pipeline throws for
// expected outcomes (NoNode, BadVersion, ...). Mapped to the wire in one place: the reply header's err.

import { BaseError } from '../../../shared/src';

export const Code = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;

export type CodeName = keyof typeof Code;
export type CodeValue = (typeof Code)[CodeName];

const NAMES = new Map<number, CodeName>(Object.entries(Code).map(([k, v]) => [v, k as CodeName]));

export function codeName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN(${code})`;
}

/** An expected, client-visible failure of one operation. */
export class KeeperError extends BaseError {
  readonly err: number;
  readonly path: string | undefined;
  constructor(err: number, path?: string) {
    super(codeName(err), path === undefined ? codeName(err) : `${codeName(err)} for ${path}`);
    this.err = err;
    this.path = path;
  }
}
