// This broker's presence in ZooKeeper: the persistent paths Kafka creates at start, /cluster/id,
// a generated broker.id from /brokers/seqid, and the ephemeral /brokers/ids/<id> registration
// (version 4 JSON with the advertised endpoints). A registration left by an earlier session of the
// same id (a crash shortly before) is waited out until ZooKeeper expires it, instead of failing as
// Kafka does. Only writes the paths named here.

import { randomUUID } from 'node:crypto';
import { Clock, ConfigError, Logger, ZkClient, ZkError } from '../../../shared/src';
import { Endpoint } from '../config/broker-config';
import { BrokerRegistrationJson, PERSISTENT_PATHS, ZkPaths } from './zk-paths';

/** reserved.broker.max.id: generated ids start above it. */
export const RESERVED_BROKER_ID_MAX = 1000;
/** How often a stale registration is checked while waiting for its session to expire. */
const STALE_REGISTRATION_POLL_MS = 250;
const REGISTRATION_VERSION = 4;
const CLUSTER_ID_JSON_VERSION = '1';
const NO_JMX_PORT = -1;

/** Creates the persistent paths Kafka creates at broker start when they are missing. */
export async function ensurePersistentPaths(zk: ZkClient): Promise<void> {
  for (const p of PERSISTENT_PATHS) await zk.mkdirp(p);
}

/** Kafka's cluster id format: a random UUID as 22 characters of URL-safe base64. */
export function newClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/** The id in /cluster/id, created by the first broker. */
export async function ensureClusterId(zk: ZkClient): Promise<string> {
  const existing = await readClusterId(zk);
  if (existing !== null) return existing;
  const json = JSON.stringify({ version: CLUSTER_ID_JSON_VERSION, id: newClusterId() });
  try {
    await zk.mkdirp('/cluster');
    await zk.create(ZkPaths.clusterId, Buffer.from(json));
  } catch (e) {
    if (!(e instanceof ZkError && e.isNodeExists)) throw e;
  }
  const id = await readClusterId(zk);
  if (id === null) throw new ConfigError(`${ZkPaths.clusterId} holds no cluster id`);
  return id;
}

async function readClusterId(zk: ZkClient): Promise<string | null> {
  const node = await zk.getDataIfExists(ZkPaths.clusterId);
  if (node === null || node.data === null) return null;
  try {
    const json = JSON.parse(node.data.toString('utf8')) as { id?: unknown };
    return typeof json.id === 'string' && json.id !== '' ? json.id : null;
  } catch {
    throw new ConfigError(`${ZkPaths.clusterId} does not hold JSON: ${node.data.toString('utf8')}`);
  }
}

/** broker.id=-1: a new id from the version of /brokers/seqid (bumped by an empty setData). */
export async function generateBrokerId(zk: ZkClient): Promise<number> {
  await zk.mkdirp(ZkPaths.brokerSeqId);
  const stat = await zk.setData(ZkPaths.brokerSeqId, Buffer.alloc(0));
  return stat.version + RESERVED_BROKER_ID_MAX;
}

/** The /brokers/ids/<id> JSON: host/port of the first PLAINTEXT endpoint (else null/-1). */
export function registrationJson(
  endpoints: readonly Endpoint[],
  nowMs: number,
  rack: string | null,
): BrokerRegistrationJson {
  const plain = endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
  const json: BrokerRegistrationJson = {
    version: REGISTRATION_VERSION,
    host: plain?.host ?? null,
    port: plain?.port ?? -1,
    jmx_port: NO_JMX_PORT,
    timestamp: String(nowMs),
    endpoints: endpoints.map((e) => `${e.listenerName}://${hostForUri(e.host)}:${e.port}`),
    listener_security_protocol_map: Object.fromEntries(
      endpoints.map((e) => [e.listenerName, e.securityProtocol]),
    ),
  };
  if (rack !== null) json.rack = rack;
  return json;
}

function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export interface RegistrationOptions {
  readonly brokerId: number;
  readonly endpoints: readonly Endpoint[];
  readonly rack: string | null;
  /** How long a registration of another session may block us (its session timeout). */
  readonly staleWaitMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Creates the ephemeral registration; returns the broker epoch (czxid). A node of our own session
 * is kept; one of another session is waited out up to staleWaitMs, then this fails.
 */
export async function registerBroker(zk: ZkClient, o: RegistrationOptions): Promise<bigint> {
  const path = ZkPaths.broker(o.brokerId);
  const data = Buffer.from(JSON.stringify(registrationJson(o.endpoints, o.clock.nowMs(), o.rack)));
  const deadline = o.clock.nowMs() + o.staleWaitMs;
  let warned = false;
  for (;;) {
    try {
      await zk.create(path, data, 'ephemeral');
      const stat = await zk.exists(path);
      o.logger.info(`registered broker ${o.brokerId} at ${path} with ${data.toString('utf8')}`);
      return stat?.czxid ?? 0n;
    } catch (e) {
      if (!(e instanceof ZkError && e.isNodeExists)) throw e;
    }
    const stat = await zk.exists(path);
    if (stat !== null && stat.ephemeralOwner === sessionIdOf(zk)) return stat.czxid;
    if (o.clock.nowMs() >= deadline) {
      throw new ConfigError(
        `${path} is held by another live ZooKeeper session: is broker.id ${o.brokerId} in use?`,
      );
    }
    if (!warned) o.logger.warn(`${path} exists from an earlier session; waiting for it to expire`);
    warned = true;
    await sleep(o.clock, STALE_REGISTRATION_POLL_MS);
  }
}

/** Removes our registration (clean shutdown); a node of another session is left alone. */
export async function deregisterBroker(zk: ZkClient, brokerId: number): Promise<void> {
  const path = ZkPaths.broker(brokerId);
  const stat = await zk.exists(path);
  if (stat === null || stat.ephemeralOwner !== sessionIdOf(zk)) return;
  try {
    await zk.remove(path, stat.version);
  } catch (e) {
    if (!(e instanceof ZkError && (e.isNoNode || e.isBadVersion))) throw e;
  }
}

export function sessionIdOf(zk: ZkClient): bigint {
  return BigInt.asIntN(64, BigInt(`0x${zk.sessionId}`));
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}
