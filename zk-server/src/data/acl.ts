// ACLs: permissions, the built-in schemes (world, auth, digest, ip, super) and the checks the prep
// and read steps make. Pure (the SHA-1 of the digest scheme is computed, not looked up).

import { createHash } from 'node:crypto';
import { ACL, Id } from '../protocol/records/data';
import { KeeperError, Code } from '../protocol/keeper-errors';

export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

export const ANYONE_ID: Id = { scheme: 'world', id: 'anyone' };
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: ANYONE_ID }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.READ, id: ANYONE_ID }]);

/** user:password -> user:base64(SHA-1(user:password)), as DigestAuthenticationProvider.generateDigest. */
export function generateDigest(idPassword: string): string {
  const colon = idPassword.indexOf(':');
  const user = colon === -1 ? idPassword : idPassword.slice(0, colon);
  const hash = createHash('sha1').update(idPassword, 'utf8').digest('base64');
  return `${user}:${hash}`;
}

/** The identities of a connection: `ip:<addr>` first, then one per successful auth packet. */
export type AuthInfo = Id[];

/** Turns an auth packet into the identity it proves, or throws AuthFailed (unknown scheme). */
export function authenticate(scheme: string, auth: Buffer | null): Id {
  if (scheme === 'digest') {
    return { scheme: 'digest', id: generateDigest((auth ?? Buffer.alloc(0)).toString('utf8')) };
  }
  throw new KeeperError(Code.AUTHFAILED);
}

function ipv4ToInt(addr: string): number | null {
  const parts = addr.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8) | n;
  }
  return v >>> 0;
}

/** ip scheme: `addr` or `addr/bits`. */
function ipMatches(clientIp: string, aclId: string): boolean {
  const [addr, bitsText] = aclId.split('/');
  const client = ipv4ToInt(clientIp.replace(/^::ffff:/, ''));
  const target = ipv4ToInt(addr ?? '');
  if (client === null || target === null) return clientIp === aclId;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (client & mask) === (target & mask);
}

function isValidIpAcl(id: string): boolean {
  const [addr, bitsText] = id.split('/');
  if (ipv4ToInt(addr ?? '') === null && !/^[0-9a-fA-F:]+$/.test(addr ?? '')) return false;
  return bitsText === undefined || /^\d+$/.test(bitsText);
}

function idMatches(authId: Id, aclId: Id): boolean {
  if (authId.scheme !== aclId.scheme) return false;
  if (aclId.scheme === 'ip') return ipMatches(authId.id, aclId.id);
  return authId.id === aclId.id;
}

export interface AclContext {
  authInfo: AuthInfo;
  /** superDigest from config (`super:<base64>` form), or null. */
  superDigest: string | null;
}

export function isSuper(ctx: AclContext): boolean {
  return ctx.authInfo.some((id) => id.scheme === 'super' || (ctx.superDigest !== null && id.scheme === 'digest' && id.id === ctx.superDigest));
}

/** True if `ctx` has `perm` on a node with `acl` (PrepRequestProcessor.checkACL). */
export function hasPermission(ctx: AclContext, acl: readonly ACL[], perm: number): boolean {
  if (acl.length === 0) return true;
  // an open entry answers before the super check walks the caller's ids (the outcome is the same)
  for (const entry of acl) {
    if ((entry.perms & perm) !== 0 && entry.id.scheme === 'world' && entry.id.id === 'anyone') return true;
  }
  if (isSuper(ctx)) return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    for (const authId of ctx.authInfo) {
      if (idMatches(authId, entry.id)) return true;
    }
  }
  return false;
}

export function checkPermission(ctx: AclContext, acl: readonly ACL[], perm: number, path?: string): void {
  if (!hasPermission(ctx, acl, perm)) throw new KeeperError(Code.NOAUTH, path);
}

function aclKey(a: ACL): string {
  return `${a.perms}|${a.id.scheme}|${a.id.id}`;
}

/**
 * Validates an ACL list for create/setACL and expands `auth` entries to the caller's authenticated
 * ids (PrepRequestProcessor.fixupACL): empty list, unknown scheme, malformed id or an `auth` entry
 * without any authenticated id -> InvalidACL. Duplicates are removed.
 */
export function fixupAcl(path: string, ctx: AclContext, acl: readonly ACL[]): ACL[] {
  if (acl.length === 0) throw new KeeperError(Code.INVALIDACL, path);
  // the usual list, one world:anyone entry, needs neither expansion nor de-duplication
  if (acl.length === 1 && acl[0]!.id.scheme === 'world' && acl[0]!.id.id === 'anyone') return [acl[0]!];
  const out: ACL[] = [];
  const seen = new Set<string>();
  const push = (a: ACL): void => {
    const key = aclKey(a);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(a);
    }
  };
  for (const a of acl) {
    const { scheme, id } = a.id;
    if (scheme === 'world' && id === 'anyone') {
      push(a);
    } else if (scheme === 'auth') {
      const authenticated = ctx.authInfo.filter((x) => x.scheme !== 'ip' && x.scheme !== 'world');
      if (authenticated.length === 0) throw new KeeperError(Code.INVALIDACL, path);
      for (const x of authenticated) push({ perms: a.perms, id: { scheme: x.scheme, id: x.id } });
    } else if (scheme === 'digest') {
      if (id.split(':').length !== 2) throw new KeeperError(Code.INVALIDACL, path);
      push(a);
    } else if (scheme === 'ip') {
      if (!isValidIpAcl(id)) throw new KeeperError(Code.INVALIDACL, path);
      push(a);
    } else if (scheme === 'super' || scheme === 'sasl' || scheme === 'x509') {
      push(a);
    } else {
      throw new KeeperError(Code.INVALIDACL, path);
    }
  }
  return out;
}

/** getACL without ADMIN: digest ids come back as `user:x`. */
export function redactDigests(acl: readonly ACL[]): ACL[] {
  return acl.map((a) =>
    a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: `${a.id.id.split(':')[0]}:x` } } : a,
  );
}
