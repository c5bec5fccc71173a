// The request chain in memory (no log, no sockets): requests in, results, replies and watch events out.
import { ByteReader, ByteWriter, silentLogger } from '../../../shared/src';
import * as P from '../../../zk-server/src/protocol/records/proto';
import { Op } from '../../../zk-server/src/protocol/op-codes';
import { Code } from '../../../zk-server/src/protocol/keeper-errors';
import { ZooKeeperServer, SessionHolder } from '../../../zk-server/src/zookeeper-server';
import { TxnResult } from '../../../zk-server/src/data/data-tree';
import { EventType } from '../../../zk-server/src/data/watch-events';
import { executeRead } from '../../../zk-server/src/pipeline/read-handlers';
import { encodeWriteReply } from '../../../zk-server/src/pipeline/final-stage';
import { OPEN_ACL_UNSAFE } from '../../../zk-server/src/data/acl';
import { DurableLog } from '../../../zk-server/src/pipeline/sync-stage';

const OPEN = [...OPEN_ACL_UNSAFE];

class FakeClient implements SessionHolder {
  static next = 1;
  readonly watcherId = FakeClient.next++;
  readonly authInfo = [{ scheme: 'ip', id: '127.0.0.1' }];
  readonly log: string[] = [];
  closed = '';
  constructor(readonly sessionId: bigint) {}
  sendWatchEvent(type: EventType, path: string): void {
    this.log.push(`event ${type} ${path}`);
  }
  closeBySession(reason: string): void {
    this.closed = reason;
  }
}

let now = 1_000_000;
function newServer(log: DurableLog | null = null): ZooKeeperServer {
  return new ZooKeeperServer(
    { serverId: 1, tickTimeMs: 1000, nowMs: () => now, extendedTypesEnabled: true, reconfigEnabled: false, superDigest: null },
    silentLogger(),
    log,
  );
}

function write(zk: ZooKeeperServer, client: FakeClient, type: number, body: Buffer): Promise<{ zxid: bigint; result: TxnResult }> {
  return new Promise((resolve) => {
    zk.submit({ sessionId: client.sessionId, cxid: 1, type, body, authInfo: client.authInfo }, (zxid, result) => {
      client.log.push(`reply ${type} ${result.err}`);
      resolve({ zxid, result });
    });
  });
}

async function session(zk: ZooKeeperServer): Promise<FakeClient> {
  const id = zk.sessions.allocateSessionId();
  const client = new FakeClient(id);
  await write(zk, client, Op.createSession, Buffer.alloc(0));
  zk.attach(id, client);
  client.log.length = 0;
  return client;
}

const create = (path: string, flags = 0, data: Buffer | null = Buffer.from('d')) =>
  P.CreateRequest.toBytes({ path, data, acl: OPEN, flags });

function read<T>(zk: ZooKeeperServer, client: FakeClient, type: number, body: Buffer, decode?: (r: ByteReader) => T): { err: number; value?: T } {
  const w = new ByteWriter();
  const err = executeRead(zk, client as never, type, body, w);
  return err === Code.OK && decode ? { err, value: decode(new ByteReader(w.view())) } : { err };
}

const stat = (zk: ZooKeeperServer, c: FakeClient, path: string) =>
  read(zk, c, Op.exists, P.ExistsRequest.toBytes({ path, watch: false }), (r) => P.ExistsResponse.decode(r).stat);

describe('ZooKeeperServer request chain', () => {
  it('names sequential nodes from the stored cversion and shows the cversion quirk', async () => {
    const zk = newServer();
    const c = await session(zk);
    await write(zk, c, Op.create, create('/p'));
    await write(zk, c, Op.create, create('/p/a'));
    const seq1 = await write(zk, c, Op.create, create('/p/s-', 2));
    expect(seq1.result.path).toBe('/p/s-0000000001');
    await write(zk, c, Op.delete, P.DeleteRequest.toBytes({ path: '/p/a', version: -1 }));
    const seq2 = await write(zk, c, Op.create, create('/p/s-', 2));
    expect(seq2.result.path).toBe('/p/s-0000000002');
    const s = stat(zk, c, '/p').value!;
    expect(s.numChildren).toBe(2);
    expect(s.cversion).toBe(4); // 3 creations + 1 deletion
    expect(s.pzxid).toBe(seq2.zxid);
  });

  it('gives every write a zxid, failed ones included', async () => {
    const zk = newServer();
    const c = await session(zk);
    const ok = await write(zk, c, Op.create, create('/x'));
    const dup = await write(zk, c, Op.create, create('/x'));
    expect(dup.result.err).toBe(Code.NODEEXISTS);
    expect(dup.zxid).toBe(ok.zxid + 1n);
    const bad = await write(zk, c, Op.setData, P.SetDataRequest.toBytes({ path: '/x', data: null, version: 7 }));
    expect(bad.result.err).toBe(Code.BADVERSION);
    expect(bad.zxid).toBe(ok.zxid + 2n);
    expect(zk.lastZxid).toBe(bad.zxid);
  });

  it('validates each request against the writes accepted before it, applied or not', async () => {
    const zk = newServer();
    const c = await session(zk);
    const pending = [
      write(zk, c, Op.create, create('/v')),
      write(zk, c, Op.setData, P.SetDataRequest.toBytes({ path: '/v', data: null, version: 0 })),
      write(zk, c, Op.setData, P.SetDataRequest.toBytes({ path: '/v', data: null, version: 0 })),
      write(zk, c, Op.create, create('/v/child')),
      write(zk, c, Op.delete, P.DeleteRequest.toBytes({ path: '/v', version: -1 })),
    ];
    const errs = (await Promise.all(pending)).map((p) => p.result.err);
    expect(errs).toEqual([Code.OK, Code.OK, Code.BADVERSION, Code.OK, Code.NOTEMPTY]);
  });

  it('answers a failed multi with the upstream result layout and changes nothing', async () => {
    const zk = newServer();
    const c = await session(zk);
    await write(zk, c, Op.create, create('/m'));
    const w = new ByteWriter();
    const op = (type: number, rec: { encode: (w: ByteWriter, v: any) => void }, v: unknown): void => {
      P.MultiHeader.encode(w, { type, done: false, err: -1 });
      rec.encode(w, v);
    };
    op(Op.create, P.CreateRequest, { path: '/m/1', data: null, acl: OPEN, flags: 0 });
    op(Op.check, P.CheckVersionRequest, { path: '/m', version: 9 });
    op(Op.delete, P.DeleteRequest, { path: '/m', version: -1 });
    P.MultiHeader.encode(w, { type: -1, done: true, err: -1 });
    const { result } = await write(zk, c, Op.multi, w.toBuffer());
    expect(result.multi!.map((r) => [r.type, r.err])).toEqual([
      [Op.error, Code.OK],
      [Op.error, Code.BADVERSION],
      [Op.error, Code.RUNTIMEINCONSISTENCY],
    ]);
    expect(stat(zk, c, '/m/1').err).toBe(Code.NONODE);
    const reply = new ByteWriter();
    encodeWriteReply(Op.multi, result, reply);
    expect(reply.view().toString('hex')).toBe(
      'ffffffff' + '00' + '00000000' + '00000000' + 'ffffffff00ffffff99ffffff99' + 'ffffffff00fffffffefffffffe' + 'ffffffff01ffffffff',
    );
  });

  it('removes ephemerals on closeSession and tells watchers before the close is answered', async () => {
    const zk = newServer();
    const owner = await session(zk);
    const watcher = await session(zk);
    await write(zk, owner, Op.create, create('/e', 1));
    expect(read(zk, watcher, Op.exists, P.ExistsRequest.toBytes({ path: '/e', watch: true })).err).toBe(Code.OK);
    await write(zk, owner, Op.create, create('/e/child')).then((r) => expect(r.result.err).toBe(Code.NOCHILDRENFOREPHEMERALS));
    const order: string[] = [];
    watcher.sendWatchEvent = (type, path) => order.push(`event ${type} ${path}`);
    await write(zk, owner, Op.closeSession, Buffer.alloc(0)).then(() => order.push('close answered'));
    expect(order).toEqual([`event ${EventType.NodeDeleted} /e`, 'close answered']);
    expect(stat(zk, watcher, '/e').err).toBe(Code.NONODE);
    expect(zk.sessions.get(owner.sessionId)).toBeUndefined();
    expect(owner.closed).toBe('session closed');
  });

  it('expires a quiet session and deletes its ephemerals', async () => {
    const zk = newServer();
    const c = await session(zk);
    zk.sessions.add(c.sessionId, 2000, now);
    await write(zk, c, Op.create, create('/gone', 3));
    now += 3001;
    zk.expireSessions();
    expect(c.closed).toBe('session expired');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(zk.tree.ephemeralsOf(c.sessionId).size).toBe(0);
    expect(zk.sessions.size).toBe(0);
  });

  it('fires one-shot, child and recursive watches with the right event types', async () => {
    const zk = newServer();
    const c = await session(zk);
    await write(zk, c, Op.create, create('/w'));
    read(zk, c, Op.getData, P.GetDataRequest.toBytes({ path: '/w', watch: true }));
    read(zk, c, Op.getChildren, P.GetChildrenRequest.toBytes({ path: '/w', watch: true }));
    read(zk, c, Op.addWatch, P.AddWatchRequest.toBytes({ path: '/w', mode: 1 }));
    await write(zk, c, Op.create, create('/w/a'));
    await write(zk, c, Op.setData, P.SetDataRequest.toBytes({ path: '/w', data: null, version: -1 }));
    await write(zk, c, Op.setData, P.SetDataRequest.toBytes({ path: '/w', data: null, version: -1 }));
    expect(c.log.filter((l) => l.startsWith('event'))).toEqual([
      `event ${EventType.NodeCreated} /w/a`,
      `event ${EventType.NodeDataChanged} /w`,
      `event ${EventType.NodeDataChanged} /w`,
    ]);
  });

  it('checks ACLs: digest-protected data needs the digest identity', async () => {
    const zk = newServer();
    const c = await session(zk);
    const acl = [{ perms: 31, id: { scheme: 'digest', id: 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=' } }];
    await write(zk, c, Op.create, P.CreateRequest.toBytes({ path: '/s', data: Buffer.from('x'), acl, flags: 0 }));
    expect(read(zk, c, Op.getData, P.GetDataRequest.toBytes({ path: '/s', watch: false })).err).toBe(Code.NOAUTH);
    c.authInfo.push({ scheme: 'digest', id: 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=' });
    expect(read(zk, c, Op.getData, P.GetDataRequest.toBytes({ path: '/s', watch: false })).err).toBe(Code.OK);
  });

  it('acknowledges nothing once the log cannot be made durable', async () => {
    let failing = false;
    let appended = 0;
    const log: DurableLog = {
      append: () => {
        appended++;
      },
      commit: () => (failing ? Promise.reject(new Error('EIO: fsync failed')) : Promise.resolve()),
    };
    const zk = newServer(log);
    const c = await session(zk);
    await write(zk, c, Op.create, create('/before'));
    failing = true;
    let answered = false;
    zk.submit({ sessionId: c.sessionId, cxid: 9, type: Op.create, body: create('/after'), authInfo: c.authInfo }, () => {
      answered = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    expect(zk.isServing).toBe(false);
    expect(stat(zk, c, '/after').err).toBe(Code.NONODE);
    zk.submit({ sessionId: c.sessionId, cxid: 10, type: Op.create, body: create('/later'), authInfo: c.authInfo }, () => {
      answered = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    expect(appended).toBe(3);
  });
});
