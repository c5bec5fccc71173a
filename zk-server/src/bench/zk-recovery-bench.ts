// Recovery time: writes a data directory of N znodes (one snapshot in Apache ZooKeeper 3.8's
// format), then starts Apache ZooKeeper and our server on copies of it and reports the time from
// process start until each answers `srvr`, in the same run. Not a test: figures depend on the machine.
//   node dist/zk-server/src/bench/zk-recovery-bench.js [--znodes 1000000] [--data-bytes 100]

import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSnapshot, SnapshotNode } from '../persistence/snapshot';
import { NodeStorage } from '../persistence/storage';
import { startBenchServer, ServerKind, unavailable } from './bench-servers';

const FANOUT = 1000;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

function stat(zxid: bigint) {
  return { czxid: zxid, mzxid: zxid, ctime: 1n, mtime: 1n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: zxid };
}

/** Root, /zookeeper (+ config, quota), /r, /r/b<k> and FANOUT leaves under each: N znodes in all. */
function* nodes(count: number, data: Buffer): Iterable<SnapshotNode> {
  const branches = Math.ceil(count / FANOUT);
  yield { path: '', data: Buffer.alloc(0), aclIndex: -1n, stat: { ...stat(0n), cversion: 1, pzxid: 1n } };
  yield { path: '/zookeeper', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) };
  yield { path: '/zookeeper/config', data: Buffer.alloc(0), aclIndex: 1n, stat: { ...stat(0n), aversion: -1 } };
  yield { path: '/zookeeper/quota', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) };
  yield { path: '/r', data: null, aclIndex: -1n, stat: { ...stat(1n), cversion: branches } };
  let left = count;
  for (let b = 0; b < branches; b++) {
    const leaves = Math.min(FANOUT, left);
    left -= leaves;
    yield { path: `/r/b${b}`, data: null, aclIndex: -1n, stat: { ...stat(1n), cversion: leaves } };
    for (let i = 0; i < leaves; i++) yield { path: `/r/b${b}/n${i}`, data, aclIndex: -1n, stat: stat(1n) };
  }
}

async function timeToServing(kind: ServerKind, seed: string): Promise<number> {
  const started = process.hrtime.bigint();
  const server = await startBenchServer(kind, true, seed);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await server.stop();
  return ms;
}

async function main(): Promise<void> {
  const count = option('znodes', 1_000_000);
  const data = Buffer.alloc(option('data-bytes', 100), 0x61);
  const seed = mkdtempSync(path.join(os.tmpdir(), 'zk-recovery-seed-'));
  try {
    const writeStart = Date.now();
    await writeSnapshot(new NodeStorage(), seed, {
      sessions: [],
      acls: new Map([[1n, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]]]),
      nodes: () => nodes(count, data),
      zxid: 1n,
      digest: null,
    });
    console.log(`data directory of ${count} znodes written in ${Date.now() - writeStart} ms`);
    const results: Array<[ServerKind, number]> = [];
    for (const kind of ['apache', 'ours'] as const) {
      const reason = unavailable(kind);
      if (reason !== undefined) {
        console.log(`${kind}: skipped (${reason})`);
        continue;
      }
      const ms = await timeToServing(kind, seed);
      results.push([kind, ms]);
      console.log(`${kind.padEnd(6)} start to serving: ${ms.toFixed(0)} ms`);
    }
    const apache = results.find(([k]) => k === 'apache')?.[1];
    const ours = results.find(([k]) => k === 'ours')?.[1];
    if (apache !== undefined && ours !== undefined) console.log(`ratio (Apache time / our time): ${(apache / ours).toFixed(2)}`);
  } finally {
    rmSync(seed, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
