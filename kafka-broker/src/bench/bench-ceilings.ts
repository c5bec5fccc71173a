// The machine's own ceilings, measured in the same run as the broker: loopback TCP bandwidth (a
// sender process writing 1 MiB buffers as fast as the socket takes them, counted by a receiver
// here) and sequential disk writes (1 MiB writes to a file in the benchmark's directory, then one
// fsync, timed together, as `dd bs=1M conv=fsync`).

import { spawn } from 'node:child_process';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { HOST } from './bench-processes';

const CHUNK_BYTES = 1024 * 1024;
const LOOPBACK_WARMUP_MS = 500;

export interface Bandwidth {
  readonly bytes: number;
  readonly seconds: number;
  readonly mbPerSec: number;
}

/** Connects to argv[1]:argv[2] and writes 1 MiB buffers until killed. */
const SENDER_SCRIPT = `
const net = require('net');
const chunk = Buffer.alloc(${CHUNK_BYTES}, 120);
const s = net.connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.on('error', () => process.exit(0));
const pump = () => { while (s.write(chunk)) {} };
s.on('connect', pump);
s.on('drain', pump);
`;

/** Bytes/s through one loopback TCP connection between two processes, over `seconds` after a warm-up. */
export async function loopbackBandwidth(seconds: number): Promise<Bandwidth> {
  let received = 0;
  const server = createServer((socket) => socket.on('data', (c: Buffer) => (received += c.length)));
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  const sender = spawn(process.execPath, ['-e', SENDER_SCRIPT, HOST, String(port)], { stdio: 'ignore' });
  try {
    await sleep(LOOPBACK_WARMUP_MS);
    const from = received;
    const started = process.hrtime.bigint();
    await sleep(seconds * 1000);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const bytes = received - from;
    return { bytes, seconds: elapsed, mbPerSec: bytes / elapsed / 1e6 };
  } finally {
    sender.kill('SIGKILL');
    server.close();
    server.unref();
  }
}

/** Sequential write of `megabytes` MiB in 1 MiB writes plus the closing fsync, timed together. */
export function diskWriteBandwidth(file: string, megabytes: number): Bandwidth {
  const chunk = Buffer.alloc(CHUNK_BYTES, 0x78);
  const fd = openSync(file, 'w');
  const started = process.hrtime.bigint();
  try {
    for (let i = 0; i < megabytes; i++) {
      for (let done = 0; done < CHUNK_BYTES; ) done += writeSync(fd, chunk, done, CHUNK_BYTES - done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(file, { force: true });
  const bytes = megabytes * CHUNK_BYTES;
  return { bytes, seconds, mbPerSec: bytes / seconds / 1e6 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
