import { fixupAcl, generateDigest, hasPermission, Perms } from '../../../zk-server/src/data/acl';
import { KeeperError, Code } from '../../../zk-server/src/protocol/keeper-errors';

const ctx = (ids: Array<[string, string]>, superDigest: string | null = null) => ({
  authInfo: ids.map(([scheme, id]) => ({ scheme, id })),
  superDigest,
});

describe('ACL', () => {
  it('computes the digest as upstream (alice:secret)', () => {
    expect(generateDigest('alice:secret')).toBe('alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=');
  });

  it('grants by world, digest, ip with mask, and super', () => {
    const digestAcl = [{ perms: Perms.READ, id: { scheme: 'digest', id: generateDigest('alice:secret') } }];
    expect(hasPermission(ctx([['ip', '127.0.0.1']]), digestAcl, Perms.READ)).toBe(false);
    expect(hasPermission(ctx([['digest', generateDigest('alice:secret')]]), digestAcl, Perms.READ)).toBe(true);
    expect(hasPermission(ctx([['digest', generateDigest('alice:secret')]]), digestAcl, Perms.WRITE)).toBe(false);
    const ipAcl = [{ perms: Perms.ALL, id: { scheme: 'ip', id: '127.0.0.0/8' } }];
    expect(hasPermission(ctx([['ip', '127.1.2.3']]), ipAcl, Perms.DELETE)).toBe(true);
    expect(hasPermission(ctx([['ip', '10.0.0.1']]), ipAcl, Perms.DELETE)).toBe(false);
    const superId = generateDigest('super:pw');
    expect(hasPermission(ctx([['digest', superId]], superId), digestAcl, Perms.ADMIN)).toBe(true);
  });

  it('expands auth entries and rejects invalid lists', () => {
    const c = ctx([['ip', '127.0.0.1'], ['digest', 'bob:h']]);
    expect(fixupAcl('/x', c, [{ perms: 31, id: { scheme: 'auth', id: '' } }])).toEqual([
      { perms: 31, id: { scheme: 'digest', id: 'bob:h' } },
    ]);
    const invalid = (acl: Parameters<typeof fixupAcl>[2], who = c): number => {
      try {
        fixupAcl('/x', who, acl);
        return 0;
      } catch (e) {
        return (e as KeeperError).err;
      }
    };
    expect(invalid([])).toBe(Code.INVALIDACL);
    expect(invalid([{ perms: 31, id: { scheme: 'nope', id: 'x' } }])).toBe(Code.INVALIDACL);
    expect(invalid([{ perms: 31, id: { scheme: 'digest', id: 'no-colon' } }])).toBe(Code.INVALIDACL);
    expect(invalid([{ perms: 31, id: { scheme: 'auth', id: '' } }], ctx([['ip', '1.2.3.4']]))).toBe(Code.INVALIDACL);
  });
});
