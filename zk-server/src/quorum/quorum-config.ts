// zoo.cfg's ensemble settings in the units the quorum runs on. The consensus core counts time in
// ticks; its tick is finer than zoo.cfg's tickTime so that elections settle and pings flow at the
// pace upstream keeps in milliseconds (200 ms finalize wait, leader pings every tickTime / 2),
// while initLimit and syncLimit keep their meaning: that many tickTimes.

import { ZooConfig } from '../config/zoo-config';
import { PeerRuntimeOptions } from './runtime/peer-runtime';

/** Longest core tick: leader pings, learner answers and election retries happen on ticks. */
export const QUORUM_TICK_MS_MAX = 100;
/** FastLeaderElection.finalizeWait: how long a decided vote waits for a better notification. */
export const ELECTION_FINALIZE_WAIT_MS = 200;
/** FastLeaderElection.maxNotificationInterval: the longest back-off between notification rounds. */
export const ELECTION_NOTIFICATION_INTERVAL_MAX_MS = 60_000;

export interface PeerAddress {
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
}

export function peerAddressesOf(config: ZooConfig): Map<number, PeerAddress> {
  return new Map(config.servers.map((s) => [s.id, { host: s.host, quorumPort: s.quorumPort, electionPort: s.electionPort }]));
}

/** The ensemble as upstream's QuorumVerifier prints it: into notifications, NEWLEADER and `conf`. */
export function membershipText(config: ZooConfig): string {
  const lines = config.servers.map((s) => {
    const client = s.clientPort !== null ? `;${s.clientHost ?? '0.0.0.0'}:${s.clientPort}` : '';
    return `server.${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.role}${client}\n`;
  });
  return lines.join('') + 'version=0';
}

export function peerRuntimeOptionsOf(config: ZooConfig): PeerRuntimeOptions {
  const tickMs = Math.max(1, Math.min(QUORUM_TICK_MS_MAX, Math.floor(config.tickTimeMs / 2)));
  const ticks = (ms: number): number => Math.max(1, Math.ceil(ms / tickMs));
  return {
    tickMs,
    snapshotEveryTxns: config.snapCount,
    zab: {
      myId: config.serverId,
      members: config.servers.map((s) => ({ id: s.id, role: s.role })),
      initLimitTicks: ticks(config.initLimit * config.tickTimeMs),
      syncLimitTicks: ticks(config.syncLimit * config.tickTimeMs),
      finalizeWaitTicks: ticks(ELECTION_FINALIZE_WAIT_MS),
      electionRetryTicksMin: ticks(ELECTION_FINALIZE_WAIT_MS),
      electionRetryTicksMax: ticks(ELECTION_NOTIFICATION_INTERVAL_MAX_MS),
      configBytes: Buffer.from(membershipText(config), 'utf8'),
    },
  };
}
