// Records of zookeeper.jute's module org.apache.zookeeper.server.quorum.

import { jute } from '../../../../shared/src';
import { Id } from './data';

const { record, int, long, buffer, vector } = jute;

export const LearnerInfo = record('LearnerInfo', [
  ['serverid', long],
  ['protocolVersion', int],
  ['configVersion', long],
] as const);
export type LearnerInfo = jute.Infer<typeof LearnerInfo>;

export const QuorumPacket = record('QuorumPacket', [
  ['type', int],
  ['zxid', long],
  ['data', buffer],
  ['authinfo', vector(Id)],
] as const);
export type QuorumPacket = jute.Infer<typeof QuorumPacket>;
