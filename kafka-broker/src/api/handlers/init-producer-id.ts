// InitProducerId (key 22): a new producer id (epoch 0) for an idempotent producer, from the blocks
// this broker claims in /latest_producer_id_block (coordinator/producer-ids.ts). Any broker
// answers. A transactional id has no coordinator here (transactions are not supported):
// COORDINATOR_NOT_AVAILABLE.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

export const handleInitProducerId: Handler<'InitProducerId'> = async (request, _rc, b) => {
  const failed = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
  if (request.transactionalId !== null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  try {
    const producerId = await b.producerIds.generate();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  } catch (e) {
    if (isUnexpected(e)) b.logger.error(`InitProducerId failed: ${(e as Error).stack ?? String(e)}`);
    return failed(errorCodeFor(e));
  }
};
