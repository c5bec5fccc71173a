// Producer ids for InitProducerId, handed out from blocks of PRODUCER_ID_BLOCK_SIZE that brokers
// claim in ZooKeeper as Kafka's ZkProducerIdManager does: read /latest_producer_id_block with its
// version, write the next block {"version":1,"broker":N,"block_start":"S","block_end":"E"}
// conditionally on that version, and read again when another broker got there first. Ids are
// unique across brokers and restarts (a restart claims a fresh block; the rest of the old one is
// never used). Allocations of one broker are serialised; only block claims touch ZooKeeper.

import { Clock, Logger, ZkClient, ZkError } from '../../../shared/src';
import { ProducerIdBlockJson, ZkPaths } from '../cluster/zk-paths';
import { KafkaError } from '../protocol';
import { withDeadline } from './deadline';

export const PRODUCER_ID_BLOCK_SIZE = 1000n;
/** Tries at claiming a block when other brokers keep winning the conditional write. */
export const PRODUCER_ID_CLAIM_ATTEMPTS_MAX = 10;
const PRODUCER_ID_MAX = 0x7fff_ffff_ffff_ffffn;

export interface ProducerIdManagerOptions {
  readonly brokerId: number;
  /** The current session; throws when there is none. */
  readonly zk: () => ZkClient;
  /** How long a block claim may take (the ZooKeeper session timeout): see deadline.ts. */
  readonly operationTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class ProducerIdManager {
  private next = 0n;
  /** Inclusive end of the current block; below `next` when none is left. */
  private blockEnd = -1n;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly o: ProducerIdManagerOptions) {
    this.logger = o.logger.child({ component: 'producer-ids' });
  }

  /** A producer id never handed out before; rejects with COORDINATOR_NOT_AVAILABLE without ZooKeeper. */
  generate(): Promise<bigint> {
    const result = this.chain.then(async () => {
      if (this.next > this.blockEnd) {
        await withDeadline(this.o.clock, this.o.operationTimeoutMs, 'claiming producer ids', () => this.claimBlock());
      }
      return this.next++;
    });
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async claimBlock(): Promise<void> {
    for (let attempt = 1; attempt <= PRODUCER_ID_CLAIM_ATTEMPTS_MAX; attempt++) {
      let zk: ZkClient;
      let node: Awaited<ReturnType<ZkClient['getDataIfExists']>>;
      try {
        zk = this.o.zk();
        node = await zk.getDataIfExists(ZkPaths.latestProducerIdBlock);
        if (node === null) {
          await zk.mkdirp(ZkPaths.latestProducerIdBlock);
          continue;
        }
      } catch (e) {
        throw unavailable(e);
      }
      const start = nextBlockStart(node.data);
      const end = start + PRODUCER_ID_BLOCK_SIZE - 1n;
      if (end > PRODUCER_ID_MAX) throw new KafkaError('UNKNOWN_SERVER_ERROR', 'producer ids are exhausted');
      const json: ProducerIdBlockJson = {
        version: 1,
        broker: this.o.brokerId,
        block_start: String(start),
        block_end: String(end),
      };
      try {
        await zk.setData(ZkPaths.latestProducerIdBlock, Buffer.from(JSON.stringify(json)), node.stat.version);
      } catch (e) {
        if (e instanceof ZkError && e.isBadVersion) continue;
        throw unavailable(e);
      }
      this.next = start;
      this.blockEnd = end;
      this.logger.info(`claimed producer ids ${start}..${end}`);
      return;
    }
    throw new KafkaError('COORDINATOR_NOT_AVAILABLE', 'could not claim a block of producer ids; retry');
  }
}

/** The first id after the block recorded in the znode (0 when it holds none yet). */
export function nextBlockStart(data: Buffer | null): bigint {
  if (data === null || data.length === 0) return 0n;
  let end: unknown;
  try {
    end = (JSON.parse(data.toString('utf8')) as Partial<ProducerIdBlockJson>).block_end;
  } catch {
    end = undefined;
  }
  if (typeof end !== 'string' || !/^\d+$/.test(end)) {
    const text = data.toString('utf8');
    throw new KafkaError('UNKNOWN_SERVER_ERROR', `unreadable ${ZkPaths.latestProducerIdBlock}: ${text}`);
  }
  return BigInt(end) + 1n;
}

function unavailable(e: unknown): KafkaError {
  if (e instanceof KafkaError) return e;
  return new KafkaError('COORDINATOR_NOT_AVAILABLE', `producer id block: ${(e as Error).message}`, { cause: e });
}
