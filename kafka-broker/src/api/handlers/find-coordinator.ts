// FindCoordinator (key 10): the broker coordinating a group (key type 0), chosen from the group id
// and the live brokers (coordinator/coordinator-choice.ts), with its endpoint on the listener the
// request came in on. Transactional ids (key type 1) have no coordinator here: transactions are not
// supported, so they get COORDINATOR_NOT_AVAILABLE. v0 names one key; v4+ (not advertised) several.

import { ErrorCode, FindCoordinatorResponseInput } from '../../protocol';
import { BrokerContext, Handler } from '../context';

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;
const BATCHED_KEYS_FIRST_VERSION = 4;

interface Located {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export const handleFindCoordinator: Handler<'FindCoordinator'> = (request, rc, b) => {
  if (rc.apiVersion >= BATCHED_KEYS_FIRST_VERSION) {
    const coordinators = request.coordinatorKeys.map((key) => ({
      key,
      ...locate(b, key, request.keyType, rc.listenerName),
    }));
    return { throttleTimeMs: 0, coordinators };
  }
  const found = locate(b, request.key, request.keyType, rc.listenerName);
  return { throttleTimeMs: 0, ...found } satisfies FindCoordinatorResponseInput;
};

function locate(b: BrokerContext, key: string, keyType: number, listenerName: string): Located {
  const failed = (errorCode: number, errorMessage: string): Located => ({
    errorCode,
    errorMessage,
    nodeId: -1,
    host: '',
    port: -1,
  });
  if (keyType === TRANSACTION_KEY_TYPE) {
    return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'transactions are not supported by this broker');
  }
  if (keyType !== GROUP_KEY_TYPE) return failed(ErrorCode.INVALID_REQUEST, `unknown key type ${keyType}`);
  const id = b.groups.coordinatorOf(key);
  const endpoint =
    id === null ? undefined : b.cache.broker(id)?.endpoints.find((e) => e.listenerName === listenerName);
  if (id === null || endpoint === undefined) {
    return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: id, host: endpoint.host, port: endpoint.port };
}
