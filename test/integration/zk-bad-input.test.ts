// Hostile and broken input: each bad connection is answered or closed, and a well-behaved client
// on another connection keeps being served, with its data intact.
import * as net from 'node:net';
import { seededRng } from '../../shared/src';
import { startZkServer, ZkServer } from '../support/process-launcher';
import { ZkRawClient, OPEN_ACL_UNSAFE } from '../support/zk-raw-client';
import { OpCode } from '../support/zk-wire';
import { waitFor, withTimeout } from '../support/wait-for';

jest.setTimeout(60_000);

/** Sends `bytes` on a fresh connection and resolves once the server has closed it (or after idle). */
function sendAndWaitForClose(server: ZkServer, bytes: Buffer, idleMs = 3000): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, server.host, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, idleMs);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

function connectFrame(extra: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.alloc(8), Buffer.from([0, 0, 0x75, 0x30]), Buffer.alloc(8), Buffer.from([0, 0, 0, 16]), Buffer.alloc(16), extra]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length, 0);
  return Buffer.concat([len, body]);
}

describe('bad input', () => {
  let server: ZkServer;
  let good: ZkRawClient;

  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours' });
    good = await ZkRawClient.connect({ port: server.port });
    expect((await good.request(OpCode.create, { path: '/keep', data: Buffer.from('safe'), acl: OPEN_ACL_UNSAFE, flags: 0 })).err).toBe(0);
  });
  afterAll(async () => {
    good?.destroy();
    await server?.cleanup();
  });

  async function goodClientStillServed(): Promise<void> {
    const reply = await good.request<{ data: Buffer }>(OpCode.getData, { path: '/keep', watch: false });
    expect(reply.err).toBe(0);
    expect(reply.body!.data.toString()).toBe('safe');
  }

  it('closes a connection that announces a frame over jute.maxbuffer', async () => {
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(0xfffff + 1, 0);
    expect(await sendAndWaitForClose(server, huge)).toBe('closed');
    await goodClientStillServed();
  });

  it('closes a connection with a negative frame length', async () => {
    expect(await sendAndWaitForClose(server, Buffer.from([0xff, 0xff, 0xff, 0x00]))).toBe('closed');
    await goodClientStillServed();
  });

  it('closes a connection whose handshake does not decode', async () => {
    expect(await sendAndWaitForClose(server, Buffer.from([0, 0, 0, 3, 1, 2, 3]))).toBe('closed');
    await goodClientStillServed();
  });

  it('closes a connection that sends garbage after the handshake', async () => {
    const garbage = Buffer.from([0, 0, 0, 2, 0xde, 0xad]);
    expect(await sendAndWaitForClose(server, Buffer.concat([connectFrame(), garbage]))).toBe('closed');
    await goodClientStillServed();
  });

  it('answers an unknown op code with Unimplemented and keeps the connection', async () => {
    const replies: Buffer[] = [];
    const socket = net.connect(server.port, server.host);
    socket.on('data', (d: Buffer) => replies.push(d));
    const unknownOp = Buffer.from([0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0x03, 0xe7]);
    const ping = Buffer.from([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 11]);
    try {
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(connectFrame());
      await withTimeout(new Promise((r) => socket.once('data', r)), 5000, 'connect response');
      replies.length = 0;
      socket.write(Buffer.concat([unknownOp, ping]));
      await waitFor(() => Buffer.concat(replies).length >= 40, { description: 'two replies' });
      const bytes = Buffer.concat(replies);
      expect(bytes.readInt32BE(4)).toBe(5);
      expect(bytes.readInt32BE(16)).toBe(-6);
      expect(bytes.readInt32BE(24)).toBe(-2);
      expect(socket.destroyed).toBe(false);
    } finally {
      socket.destroy();
    }
  });

  it('survives random frames on many connections (seeded)', async () => {
    const seed = Number(process.env.SEED ?? 20261121);
    const rng = seededRng(seed);
    for (let i = 0; i < 40; i++) {
      const length = rng.int(64);
      const body = Buffer.from(Array.from({ length }, () => rng.int(256)));
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(rng.chance(0.8) ? length : rng.int(0x7fffffff), 0);
      const bytes = rng.chance(0.5) ? Buffer.concat([connectFrame(), prefix, body]) : Buffer.concat([prefix, body]);
      await sendAndWaitForClose(server, bytes.subarray(0, rng.chance(0.3) ? rng.int(bytes.length) : bytes.length), 300);
    }
    await withTimeout(goodClientStillServed(), 5000, `good client after random frames, seed ${seed}`);
    expect(server.running).toBe(true);
  });
});
