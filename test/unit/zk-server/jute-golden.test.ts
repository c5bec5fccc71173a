// Golden bytes: every frame that real clients (node-zookeeper-client, kazoo, cli_mt, zkCli.sh)
// exchanged with a real Apache ZooKeeper 3.8 (test/fixtures/zk, see PROVENANCE.md) must decode
// with our jute records, consume its frame exactly, and re-encode to the same bytes. A round trip
// alone cannot see two same-typed fields swapped, so the decoded values are also checked against
// facts the server guarantees (a create2's Stat has czxid = mzxid = pzxid = the reply's zxid, ...).
// No Java is needed: the fixtures are committed.

import { ZK_FIXTURES_DIR, GoldenFixture, listFixtures, loadFixture } from '../../support/golden';
import { ConversationDecoder, DecodedFrame, OpCode, reencode } from '../../support/zk-wire';

interface Decoded {
  fixture: string;
  index: number;
  conn: number;
  frame: DecodedFrame;
  bytes: Buffer;
  /** For replies: the request with the same xid on the same connection. */
  request?: DecodedFrame;
}

const fixtures: GoldenFixture[] = listFixtures(ZK_FIXTURES_DIR).map((name) => loadFixture(ZK_FIXTURES_DIR, name));

/** Decodes a fixture frame by frame; a frame that does not decode is reported, not thrown. */
function decodeFixture(f: GoldenFixture): { items: Decoded[]; errors: string[] } {
  const decoders = new Map<number, ConversationDecoder>();
  const requests = new Map<string, DecodedFrame[]>();
  const items: Decoded[] = [];
  const errors: string[] = [];
  f.frames.forEach((g, index) => {
    const decoder = decoders.get(g.conn) ?? new ConversationDecoder();
    decoders.set(g.conn, decoder);
    let frame: DecodedFrame;
    try {
      frame = decoder.decode(g.dir, g.bytes);
    } catch (err) {
      errors.push(`frame ${index} (${g.label}): ${(err as Error).message}: ${g.bytes.toString('hex')}`);
      return;
    }
    const d: Decoded = { fixture: f.name, index, conn: g.conn, frame, bytes: g.bytes };
    const key = `${g.conn}/${frame.xid}`;
    if (g.dir === 'c2s' && frame.xid !== undefined) requests.set(key, [...(requests.get(key) ?? []), frame]);
    if (g.dir === 's2c' && frame.op !== undefined) {
      const request = requests.get(key)?.shift();
      if (request !== undefined) d.request = request;
    }
    items.push(d);
  });
  return { items, errors };
}

const decoded: Decoded[] = fixtures.flatMap((f) => decodeFixture(f).items);

const body = (d: DecodedFrame): any => d.parts[d.parts.length - 1]!.value;
const header = (d: DecodedFrame): any => d.parts[0]!.value;
const byLabel = (label: string, fixture?: string): Decoded[] =>
  decoded.filter((d) => d.frame.label === label && (fixture === undefined || d.fixture === fixture));

describe('golden ZooKeeper frames (test/fixtures/zk)', () => {
  test('one fixture per real client is present', () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining(['cli-mt-session', 'kazoo-session', 'nodejs-session', 'zkcli-session']),
    );
  });

  test.each(fixtures.map((f) => [f.name, f] as const))('%s records its provenance', (_name, f) => {
    for (const key of ['tool', 'server', 'command', 'date']) expect(f.meta[key]).toMatch(/\S/);
    expect(f.meta['server']).toMatch(/Apache ZooKeeper 3\.8/);
  });

  test.each(fixtures.map((f) => [f.name, f] as const))('%s: every frame decodes exactly and re-encodes to its bytes', (name, f) => {
    const { items, errors } = decodeFixture(f);
    const problems: string[] = [...errors];
    items.forEach((d) => {
      const again = reencode(d.frame);
      if (!again.equals(d.bytes)) {
        problems.push(`frame ${d.index} (${d.frame.label}): re-encoded ${again.toString('hex')} != ${d.bytes.toString('hex')}`);
      }
      const stored = f.frames[d.index]!.label;
      if (stored !== d.frame.label) problems.push(`frame ${d.index}: stored label "${stored}", decoded as "${d.frame.label}"`);
    });
    expect({ fixture: name, problems }).toEqual({ fixture: name, problems: [] });
  });

  test('the fixtures cover the session features the server must speak', () => {
    const labels = new Set(decoded.map((d) => d.frame.label));
    const wanted = [
      'ConnectRequest', 'ConnectResponse', 'request create', 'request create2', 'request getData', 'request setData',
      'request exists', 'request getChildren2', 'request delete', 'request multi', 'request setACL', 'request getACL',
      'request auth', 'request setWatches', 'request setWatches2', 'request sync', 'request ping', 'request closeSession',
      'request createContainer', 'request getEphemerals', 'request getAllChildrenNumber', 'request whoAmI',
      'request addWatch', 'event', 'reply ping', 'reply closeSession', 'reply exists NoNode', 'reply create NodeExists',
      'reply setData BadVersion', 'reply delete NotEmpty', 'reply createTTL Unimplemented',
    ];
    expect(wanted.filter((w) => !labels.has(w))).toEqual([]);
  });
});

describe('decoded values agree with what the server guarantees', () => {
  test('the readOnly byte is present in the request and the reply exactly when the client sends it', () => {
    const requests = byLabel('ConnectRequest');
    const responses = byLabel('ConnectResponse');
    expect(requests.length).toBe(responses.length);
    requests.forEach((req, i) => {
      const res = responses[i]!;
      const hasByte = body(req.frame).readOnly !== undefined;
      expect({ fixture: req.fixture, request: req.bytes.length, response: res.bytes.length }).toEqual({
        fixture: req.fixture,
        request: hasByte ? 45 : 44,
        response: hasByte ? 37 : 36,
      });
      expect(body(res.frame).readOnly).toBe(hasByte ? false : undefined);
    });
    // node-zookeeper-client never sends it; the C, Java and Python clients always do
    expect(byLabel('ConnectRequest', 'nodejs-session').every((d) => body(d.frame).readOnly === undefined)).toBe(true);
    expect(byLabel('ConnectRequest', 'kazoo-session').every((d) => body(d.frame).readOnly === false)).toBe(true);
  });

  test('a reconnect presents the session id and password the server handed out', () => {
    for (const fixture of ['nodejs-session', 'zkcli-session']) {
      const [firstReply] = byLabel('ConnectResponse', fixture);
      const [, reconnect] = byLabel('ConnectRequest', fixture);
      expect(body(reconnect!.frame).sessionId).toBe(body(firstReply!.frame).sessionId);
      expect(body(reconnect!.frame).passwd).toEqual(body(firstReply!.frame).passwd);
      expect(body(firstReply!.frame).passwd).toHaveLength(16);
    }
  });

  test('create2 and createContainer Stats: czxid = mzxid = pzxid = the reply zxid, fresh counters', () => {
    const replies = [...byLabel('reply create2'), ...byLabel('reply createContainer')];
    expect(replies.length).toBeGreaterThan(0);
    for (const r of replies) {
      const stat = body(r.frame).stat;
      const zxid = header(r.frame).zxid;
      expect([stat.czxid, stat.mzxid, stat.pzxid]).toEqual([zxid, zxid, zxid]);
      expect([stat.version, stat.cversion, stat.aversion, stat.numChildren]).toEqual([0, 0, 0, 0]);
      expect(stat.ctime).toBe(stat.mtime);
      expect(stat.dataLength).toBe(body(r.request!).data?.length ?? 0);
    }
  });

  test('setData Stats carry the write zxid as mzxid and the new data length', () => {
    const replies = byLabel('reply setData');
    expect(replies.length).toBeGreaterThan(0);
    for (const r of replies) {
      const stat = body(r.frame).stat;
      expect(stat.mzxid).toBe(header(r.frame).zxid);
      expect(stat.dataLength).toBe(body(r.request!).data?.length ?? 0);
      expect(stat.version).toBeGreaterThan(0);
      expect(stat.mtime >= stat.ctime).toBe(true);
    }
  });

  test('getData and getChildren2 bodies agree with their Stat', () => {
    for (const r of byLabel('reply getData')) expect(body(r.frame).data?.length ?? 0).toBe(body(r.frame).stat.dataLength);
    for (const r of byLabel('reply getChildren2')) expect(body(r.frame).children).toHaveLength(body(r.frame).stat.numChildren);
  });

  test('watch events: xid -1, zxid -1, err 0, state SyncConnected', () => {
    const events = byLabel('event');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(header(e.frame)).toEqual({ xid: -1, zxid: -1n, err: 0 });
      expect(body(e.frame).state).toBe(3);
      expect([1, 2, 3, 4]).toContain(body(e.frame).type);
      expect(body(e.frame).path).toMatch(/^\//);
    }
  });

  test('a failed multi keeps err 0 in its header and reports 0, the error, then -2 per op', () => {
    const failed = byLabel('reply multi').filter((r) => body(r.frame).results.some((x: any) => x.header.type === OpCode.error));
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(header(r.frame).err).toBe(0);
      const errs: number[] = body(r.frame).results.map((x: any) => x.body.err);
      const failing = errs.findIndex((e) => e !== 0);
      expect(errs.slice(0, failing).every((e) => e === 0)).toBe(true);
      expect(errs[failing]).toBeLessThan(-2);
      expect(errs.slice(failing + 1).every((e) => e === -2)).toBe(true);
      expect(body(r.frame).end).toEqual({ type: -1, done: true, err: -1 });
      expect(body(r.frame).results).toHaveLength(body(r.request!).ops.length);
    }
  });

  test('error replies carry no body and a write error still takes a zxid', () => {
    const errors = decoded.filter((d) => d.frame.dir === 's2c' && (d.frame.err ?? 0) !== 0);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.bytes).toHaveLength(16);
    const [nodeExists] = byLabel('reply create NodeExists', 'nodejs-session');
    const next = decoded.find((d) => d.fixture === 'nodejs-session' && d.index > nodeExists!.index && d.frame.dir === 's2c');
    expect(header(next!.frame).zxid).toBe(header(nodeExists!.frame).zxid);
    const before = decoded.filter((d) => d.fixture === 'nodejs-session' && d.index < nodeExists!.index && d.frame.dir === 's2c');
    expect(header(nodeExists!.frame).zxid).toBe(header(before[before.length - 1]!.frame).zxid + 1n);
  });
});
