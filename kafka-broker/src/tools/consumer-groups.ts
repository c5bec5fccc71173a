// kafka-consumer-groups: list groups (ListGroups on every broker), describe one (DescribeGroups at
// its coordinator, its committed offsets by OffsetFetch, log ends by ListOffsets: the
// GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID table, or
// --members / --state), delete groups (DeleteGroups) and reset a group's offsets (--to-earliest,
// --to-latest, --to-offset, --to-current, --shift-by, --to-datetime, --by-duration; a dry run
// unless --execute; OffsetCommit as a member-less commit, so the group must have no active
// members). Texts, columns and checks as Kafka 2.8's ConsumerGroupCommand; its failures print
// "\nError: ..." on stdout.

import { assertNever } from '../../../shared/src';
import { decodeAssignment } from '../client/consumer-protocol';
import { commitOffsets, fetchCommittedOffsets } from '../client/group-member';
import {
  EARLIEST_TIMESTAMP,
  KafkaClient,
  LATEST_TIMESTAMP,
  TopicPartition,
  kafkaErrorOf,
  topicPartitionKey,
} from '../client/kafka-client';
import { ErrorCode, errorName } from '../protocol';
import {
  MemberRow,
  OffsetRow,
  groupStatesTable,
  membersTable,
  offsetsTable,
  resetTable,
  stateTable,
} from './group-tables';
import {
  ToolExit,
  ToolIo,
  UsageError,
  bootstrapEndpoints,
  clientOptions,
  connectClient,
  errorReason,
  exitCodeForStop,
  logLine,
} from './tool-io';

export const GROUPS_DESCRIPTION =
  'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.';
export const GROUPS_TIMEOUT_MS_DEFAULT = 5_000;
const CLIENT_ID = 'adminclient-1';
const DEAD = 'Dead';
const NO_EXECUTE_WARNING =
  'WARN: No action will be performed as the --execute option is missing.' +
  'In a future major release, the default behavior of this command will be to prompt the user before ' +
  'executing the reset rather than doing a dry run. You should add the --dry-run option explicitly ' +
  'if you are scripting this command and want to keep the current default behavior without prompting.\n';

export interface ConsumerGroupsArgs {
  readonly bootstrapServer?: string;
  readonly list?: boolean;
  readonly describe?: boolean;
  readonly delete?: boolean;
  readonly resetOffsets?: boolean;
  readonly group?: readonly string[];
  readonly allGroups?: boolean;
  readonly topic?: readonly string[];
  readonly allTopics?: boolean;
  readonly toEarliest?: boolean;
  readonly toLatest?: boolean;
  readonly toCurrent?: boolean;
  readonly toOffset?: number;
  readonly shiftBy?: number;
  readonly toDatetime?: string;
  readonly byDuration?: string;
  readonly execute?: boolean;
  readonly dryRun?: boolean;
  readonly export?: boolean;
  readonly members?: boolean;
  readonly offsets?: boolean;
  readonly state?: boolean;
  readonly verbose?: boolean;
  readonly timeout?: number;
}

type Action = 'list' | 'describe' | 'delete' | 'reset';

/** What DescribeGroups says about one group. */
interface GroupDescription {
  readonly groupId: string;
  readonly state: string;
  readonly protocolData: string;
  readonly members: readonly {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    assignment: Map<string, number[]>;
  }[];
}

/** Kafka's messages for the group errors the tool reports item by item. */
const GROUP_ERROR_TEXT: Readonly<Record<number, string>> = {
  [ErrorCode.GROUP_ID_NOT_FOUND]: 'The group id does not exist.',
  [ErrorCode.NON_EMPTY_GROUP]: 'The group is not empty.',
  [ErrorCode.INVALID_GROUP_ID]: 'The configured groupId is invalid.',
  [ErrorCode.GROUP_AUTHORIZATION_FAILED]: 'Not authorized to access group: Group authorization failed.',
};

class GroupCommandFailure extends Error {}

export function checkGroupsArgs(a: ConsumerGroupsArgs): Action {
  const actions = (['list', 'describe', 'delete', 'resetOffsets'] as const).filter((k) => a[k] === true);
  if (actions.length !== 1) {
    throw new UsageError(
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets',
    );
  }
  if (a.bootstrapServer === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const action: Action = actions[0] === 'resetOffsets' ? 'reset' : actions[0]!;
  const hasGroups = (a.group?.length ?? 0) > 0 || a.allGroups === true;
  const flag = action === 'reset' ? 'reset-offsets' : action;
  if (action !== 'list' && !hasGroups)
    throw new UsageError(`Option [${flag}] takes one of these options: [all-groups], [group]`);
  if ((a.group?.length ?? 0) > 0 && a.allGroups)
    throw new UsageError('Option "[group]" can\'t be used with option "[all-groups]"');
  if (action === 'describe' && [a.members, a.offsets, a.state].filter((x) => x === true).length > 1) {
    throw new UsageError(
      'Option [describe] takes at most one of these options: [members], [offsets], [state]',
    );
  }
  if (action === 'delete' && (a.topic?.length ?? 0) > 0) {
    throw new UsageError(
      'The consumer does not support topic-specific offset deletion from a consumer group.',
    );
  }
  if (action === 'reset') {
    if (a.execute && a.dryRun)
      throw new UsageError('Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    const scenarios = [
      a.toEarliest,
      a.toLatest,
      a.toCurrent,
      a.toOffset !== undefined,
      a.shiftBy !== undefined,
      a.toDatetime !== undefined,
      a.byDuration !== undefined,
    ];
    if (scenarios.filter((x) => x === true).length !== 1) {
      throw new UsageError(
        'Option [reset-offsets] requires one of the following scenarios: [to-offset], [to-datetime], [by-duration], [to-earliest], [to-latest], [shift-by], [to-current]',
      );
    }
    if ((a.topic?.length ?? 0) === 0 && !a.allTopics)
      throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
  }
  return action;
}

export async function runConsumerGroups(a: ConsumerGroupsArgs, io: ToolIo): Promise<number> {
  const action = checkGroupsArgs(a);
  if (action === 'reset' && !a.execute && !a.dryRun) io.stderr.write(NO_EXECUTE_WARNING);
  const timeoutMs = a.timeout ?? GROUPS_TIMEOUT_MS_DEFAULT;
  const endpoints = bootstrapEndpoints(a.bootstrapServer, 'bootstrap-server');
  let client: KafkaClient | null = null;
  try {
    client = await connectClient(io, clientOptions(io, endpoints, CLIENT_ID), Date.now() + timeoutMs);
    if (client === null) return exitCodeForStop(io.signal);
    const service = new GroupService(client, io, timeoutMs);
    switch (action) {
      case 'list':
        return await service.list(a.state === true);
      case 'describe':
        return await service.describe(a);
      case 'delete':
        return await service.delete(a);
      case 'reset':
        return await service.reset(a);
      default:
        return assertNever(action);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    io.stdout.write(`\nError: Executing consumer group command failed due to ${errorReason(e)}\n`);
    if (!(e instanceof GroupCommandFailure)) io.stderr.write(logLine('ERROR', errorReason(e), io.nowMs()));
    return ToolExit.ERROR;
  } finally {
    client?.close();
  }
}

class GroupService {
  constructor(
    private readonly client: KafkaClient,
    private readonly io: ToolIo,
    private readonly timeoutMs: number,
  ) {}

  private deadline(): number {
    return Date.now() + this.timeoutMs;
  }

  private printError(text: string): void {
    this.io.stdout.write(`\nError: ${text}\n`);
  }

  /** Groups of protocol type "consumer" (or none: groups that only have committed offsets). */
  private async consumerGroups(): Promise<string[]> {
    const groups = await this.client.listGroups(this.deadline());
    return groups.filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
  }

  private async groupIds(a: ConsumerGroupsArgs): Promise<string[]> {
    return a.allGroups ? this.consumerGroups() : [...(a.group ?? [])];
  }

  async list(withState: boolean): Promise<number> {
    const groups = await this.consumerGroups();
    if (!withState) {
      for (const g of groups) this.io.stdout.write(`${g}\n`);
      return ToolExit.OK;
    }
    const rows = [];
    for (const g of groups) rows.push({ group: g, state: (await this.describeGroup(g)).state });
    this.io.stdout.write(groupStatesTable(rows));
    return ToolExit.OK;
  }

  private async describeGroup(groupId: string): Promise<GroupDescription> {
    return this.client.retrying('DescribeGroups', this.deadline(), async () => {
      const r = await this.client.groupRequest(
        groupId,
        'DescribeGroups',
        { groups: [groupId], includeAuthorizedOperations: false },
        this.deadline(),
      );
      const g = r.groups.find((x) => x.groupId === groupId) ?? r.groups[0];
      if (g === undefined)
        throw kafkaErrorOf(ErrorCode.UNKNOWN_SERVER_ERROR, `no description of group ${groupId}`);
      if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND)
        return { groupId, state: DEAD, protocolData: '', members: [] };
      if (g.errorCode !== ErrorCode.NONE) {
        if (
          g.errorCode === ErrorCode.NOT_COORDINATOR ||
          g.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
        ) {
          this.client.forgetCoordinator(groupId);
        }
        throw kafkaErrorOf(g.errorCode, `DescribeGroups ${groupId}: ${errorName(g.errorCode)}`);
      }
      const consumer = g.protocolType === 'consumer';
      return {
        groupId,
        state: g.groupState,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment:
            consumer && m.memberAssignment.length > 0 ? decodeAssignment(m.memberAssignment) : new Map(),
        })),
      };
    });
  }

  /** Committed offsets of a group, without partitions that have none. */
  private async committed(groupId: string): Promise<Map<string, TopicPartition & { offset: bigint }>> {
    const offsets = await fetchCommittedOffsets(this.client, groupId, null, this.deadline());
    return new Map([...offsets].filter(([, c]) => c.offset >= 0n));
  }

  private async offsetsAt(tps: readonly TopicPartition[], timestamp: bigint): Promise<Map<string, bigint>> {
    if (tps.length === 0) return new Map();
    return this.client.listOffsets(
      tps.map((tp) => ({ ...tp, timestamp })),
      this.deadline(),
    );
  }

  /** ConsumerGroupCommand.shouldPrintMemberState: the notes before a table, and whether it follows. */
  private noteState(group: string, state: string, rows: number): boolean {
    if (state === DEAD) this.printError(`Consumer group '${group}' does not exist.`);
    else if (state === 'Empty') this.io.stderr.write(`\nConsumer group '${group}' has no active members.\n`);
    else if (state === 'PreparingRebalance' || state === 'CompletingRebalance') {
      this.io.stderr.write(`\nWarning: Consumer group '${group}' is rebalancing.\n`);
    }
    return state !== DEAD && rows > 0;
  }

  async describe(a: ConsumerGroupsArgs): Promise<number> {
    for (const groupId of (await this.groupIds(a)).sort()) {
      const g = await this.describeGroup(groupId);
      if (a.members) {
        const rows: MemberRow[] = g.members.map((m) => ({
          group: groupId,
          consumerId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? '',
          host: m.clientHost,
          clientId: m.clientId,
          assignment: m.assignment,
        }));
        if (this.noteState(groupId, g.state, rows.length))
          this.io.stdout.write(membersTable(rows, a.verbose === true));
      } else if (a.state) {
        if (this.noteState(groupId, g.state, 1)) {
          const c = await this.client.findCoordinator(groupId, this.deadline());
          this.io.stdout.write(
            stateTable({
              group: groupId,
              coordinator: `${c.host}:${c.port} (${c.nodeId})`,
              assignmentStrategy: g.protocolData,
              state: g.state,
              members: g.members.length,
            }),
          );
        }
      } else {
        const rows = await this.offsetRows(g);
        if (this.noteState(groupId, g.state, rows.length)) this.io.stdout.write(offsetsTable(rows));
      }
    }
    return ToolExit.OK;
  }

  /** collectGroupOffsets: rows of members with partitions, then committed partitions nobody has. */
  private async offsetRows(g: GroupDescription): Promise<OffsetRow[]> {
    const committed = g.state === DEAD ? new Map() : await this.committed(g.groupId);
    const members = g.members
      .map((m) => ({
        m,
        tps: [...m.assignment].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition }))),
      }))
      .filter((x) => x.tps.length > 0)
      .sort((x, y) => y.tps.length - x.tps.length);
    const assigned = new Set(members.flatMap((x) => x.tps.map(topicPartitionKey)));
    const loose = [...committed.values()]
      .filter((c) => !assigned.has(topicPartitionKey(c)))
      .sort((x, y) => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1));
    const all = [...members.flatMap((x) => x.tps), ...loose];
    const ends = await this.offsetsAt(all, LATEST_TIMESTAMP);
    const row = (
      tp: TopicPartition,
      who: { memberId: string; clientHost: string; clientId: string } | null,
    ): OffsetRow => ({
      group: g.groupId,
      topic: tp.topic,
      partition: tp.partition,
      offset: committed.get(topicPartitionKey(tp))?.offset ?? null,
      logEndOffset: ends.get(topicPartitionKey(tp)) ?? null,
      consumerId: who?.memberId ?? null,
      host: who?.clientHost ?? null,
      clientId: who?.clientId ?? null,
    });
    return [
      ...members.flatMap((x) =>
        [...x.tps].sort((p, q) => p.partition - q.partition).map((tp) => row(tp, x.m)),
      ),
      ...loose.map((tp) => row(tp, null)),
    ];
  }

  async delete(a: ConsumerGroupsArgs): Promise<number> {
    const results = new Map<string, number>();
    for (const groupId of await this.groupIds(a)) {
      results.set(
        groupId,
        await this.client.retrying('DeleteGroups', this.deadline(), async () => {
          const r = await this.client.groupRequest(
            groupId,
            'DeleteGroups',
            { groupsNames: [groupId] },
            this.deadline(),
          );
          const code =
            r.results.find((x) => x.groupId === groupId)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          if (
            code === ErrorCode.NOT_COORDINATOR ||
            code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
            code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
          ) {
            this.client.forgetCoordinator(groupId);
            throw kafkaErrorOf(code, `DeleteGroups ${groupId}: ${errorName(code)}`);
          }
          return code;
        }),
      );
    }
    const quoted = (names: string[]): string => names.map((n) => `'${n}'`).join(', ');
    const ok = [...results].filter(([, c]) => c === ErrorCode.NONE).map(([g]) => g);
    const failed = [...results].filter(([, c]) => c !== ErrorCode.NONE);
    if (failed.length === 0) {
      this.io.stdout.write(`Deletion of requested consumer groups (${quoted(ok)}) was successful.\n`);
      return ToolExit.OK;
    }
    this.printError('Deletion of some consumer groups failed:');
    for (const [g, code] of failed) {
      this.io.stdout.write(
        `* Group '${g}' could not be deleted due to: ${errorName(code)}: ${GROUP_ERROR_TEXT[code] ?? errorName(code)}\n`,
      );
    }
    if (ok.length > 0)
      this.io.stdout.write(`\nThese consumer groups were deleted successfully: ${quoted(ok)}\n`);
    return ToolExit.ERROR;
  }

  async reset(a: ConsumerGroupsArgs): Promise<number> {
    const plan: { group: string; topic: string; partition: number; offset: bigint }[] = [];
    let anyGroup = false;
    let refused = false;
    for (const groupId of await this.groupIds(a)) {
      anyGroup = true;
      const g = await this.describeGroup(groupId);
      if (g.state !== 'Empty' && g.state !== DEAD) {
        this.printError(
          `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${g.state}.`,
        );
        refused = true;
        continue;
      }
      const offsets = await this.prepareOffsets(groupId, a, await this.partitionsToReset(groupId, a));
      if (a.execute) {
        const errors = await commitOffsets(this.client, groupId, offsets, this.deadline());
        const bad = [...errors.values()].find((c) => c !== ErrorCode.NONE);
        if (bad !== undefined)
          throw new GroupCommandFailure(
            `${errorName(bad)}: ${GROUP_ERROR_TEXT[bad] ?? 'the offsets were not committed'}`,
          );
      }
      for (const o of offsets.values())
        plan.push({ group: groupId, topic: o.topic, partition: o.partition, offset: o.offset });
    }
    if (a.export) {
      const single = (a.group?.length ?? 0) === 1;
      for (const r of plan)
        this.io.stdout.write(
          single
            ? `${r.topic},${r.partition},${r.offset}\n`
            : `${r.group},${r.topic},${r.partition},${r.offset}\n`,
        );
    } else if (anyGroup) {
      this.io.stdout.write(resetTable(plan));
    }
    return refused ? ToolExit.ERROR : ToolExit.OK;
  }

  private async partitionsToReset(groupId: string, a: ConsumerGroupsArgs): Promise<TopicPartition[]> {
    if (a.allTopics)
      return [...(await this.committed(groupId)).values()].map((c) => ({
        topic: c.topic,
        partition: c.partition,
      }));
    const out: TopicPartition[] = [];
    for (const arg of a.topic ?? []) {
      const colon = arg.indexOf(':');
      if (colon >= 0) {
        const topic = arg.slice(0, colon);
        for (const p of arg.slice(colon + 1).split(',')) out.push({ topic, partition: Number(p) });
        continue;
      }
      const metadata = await this.client.refreshMetadata([arg], false, this.deadline());
      const t = metadata.topics.get(arg);
      if (t === undefined || t.errorCode !== ErrorCode.NONE) {
        throw new GroupCommandFailure(
          `${errorName(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)}: This server does not host this topic-partition.`,
        );
      }
      for (const p of t.partitions) out.push({ topic: arg, partition: p.partition });
    }
    return out.sort((x, y) => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1));
  }

  /** prepareOffsetsToReset for the scenario given. */
  private async prepareOffsets(
    groupId: string,
    a: ConsumerGroupsArgs,
    tps: readonly TopicPartition[],
  ): Promise<Map<string, TopicPartition & { offset: bigint }>> {
    const out = new Map<string, TopicPartition & { offset: bigint }>();
    const put = (tp: TopicPartition, offset: bigint): void =>
      void out.set(topicPartitionKey(tp), { ...tp, offset });
    if (a.toEarliest || a.toLatest) {
      const at = await this.offsetsAt(tps, a.toEarliest ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP);
      for (const tp of tps) put(tp, this.known(at, tp, a.toEarliest ? 'starting' : 'ending'));
    } else if (a.toOffset !== undefined || a.shiftBy !== undefined) {
      const current =
        a.shiftBy !== undefined ? await this.committed(groupId) : new Map<string, { offset: bigint }>();
      const wanted = new Map<string, bigint>();
      for (const tp of tps) {
        if (a.toOffset !== undefined) wanted.set(topicPartitionKey(tp), BigInt(a.toOffset));
        else {
          const c = current.get(topicPartitionKey(tp));
          if (c === undefined)
            throw new UsageError(
              `Cannot shift offset for partition ${topicPartitionKey(tp)} since there is no current committed offset`,
            );
          wanted.set(topicPartitionKey(tp), c.offset + BigInt(a.shiftBy!));
        }
      }
      for (const [tp, offset] of await this.clamped(tps, wanted)) put(tp, offset);
    } else if (a.toCurrent) {
      const current = await this.committed(groupId);
      const without = tps.filter((tp) => !current.has(topicPartitionKey(tp)));
      const ends = await this.offsetsAt(without, LATEST_TIMESTAMP);
      for (const tp of tps)
        put(tp, current.get(topicPartitionKey(tp))?.offset ?? this.known(ends, tp, 'ending'));
    } else {
      const timestamp =
        a.toDatetime !== undefined
          ? parseDateTime(a.toDatetime, this.io.nowMs())
          : BigInt(this.io.nowMs()) - parseDuration(a.byDuration!);
      const byTime = await this.offsetsAt(tps, timestamp);
      const ends = await this.offsetsAt(
        tps.filter((tp) => (byTime.get(topicPartitionKey(tp)) ?? -1n) < 0n),
        LATEST_TIMESTAMP,
      );
      for (const tp of tps) {
        const t = byTime.get(topicPartitionKey(tp)) ?? -1n;
        put(tp, t >= 0n ? t : this.known(ends, tp, 'ending'));
      }
    }
    return out;
  }

  private known(offsets: Map<string, bigint>, tp: TopicPartition, which: string): bigint {
    const o = offsets.get(topicPartitionKey(tp));
    if (o === undefined)
      throw new UsageError(`Error getting ${which} offset of topic partition: ${topicPartitionKey(tp)}`);
    return o;
  }

  /** checkOffsetsRange: offsets beyond the log are moved to its end or start, with a warning. */
  private async clamped(
    tps: readonly TopicPartition[],
    wanted: Map<string, bigint>,
  ): Promise<[TopicPartition, bigint][]> {
    const starts = await this.offsetsAt(tps, EARLIEST_TIMESTAMP);
    const ends = await this.offsetsAt(tps, LATEST_TIMESTAMP);
    return tps.map((tp) => {
      const key = topicPartitionKey(tp);
      const offset = wanted.get(key)!;
      const end = ends.get(key);
      const start = starts.get(key);
      if (end !== undefined && offset > end) {
        this.io.stderr.write(
          logLine(
            'WARN',
            `New offset (${offset}) is higher than latest offset for topic partition ${key}. Value will be set to ${end}`,
            this.io.nowMs(),
          ),
        );
        return [tp, end];
      }
      if (start !== undefined && offset < start) {
        this.io.stderr.write(
          logLine(
            'WARN',
            `New offset (${offset}) is lower than earliest offset for topic partition ${key}. Value will be set to ${start}`,
            this.io.nowMs(),
          ),
        );
        return [tp, start];
      }
      return [tp, offset];
    });
  }
}

/**
 * Kafka's Utils.getDateTime: 'YYYY-MM-DDTHH:mm:SS.sss' with an optional zone (Z, +hh:mm, +hhmm);
 * without one it is local time.
 */
export function parseDateTime(text: string, _nowMs: number): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  if (m === null) {
    throw new UsageError(
      `Error parsing timestamp '${text}': expected the format "YYYY-MM-DDTHH:mm:SS.sss" with an optional zone`,
    );
  }
  const [, y, mo, d, h, mi, s, ms = '0', zone] = m;
  const fields = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(ms.padEnd(3, '0')),
  ] as const;
  if (zone === undefined) return BigInt(new Date(...fields).getTime());
  const utc = Date.UTC(...fields);
  if (zone === 'Z') return BigInt(utc);
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offsetMs = (Number(z[2]) * 60 + Number(z[3])) * 60_000 * (z[1] === '-' ? -1 : 1);
  return BigInt(utc - offsetMs);
}

/** An ISO-8601 duration (Java's Duration.parse subset): PnDTnHnMn.nS, in ms. */
export function parseDuration(text: string): bigint {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/i.exec(text.trim());
  if (m === null || text.trim().toUpperCase() === 'P' || text.trim().toUpperCase().endsWith('T')) {
    throw new UsageError(`Text cannot be parsed to a Duration: ${text}`);
  }
  const [, d = '0', h = '0', mi = '0', s = '0'] = m;
  return BigInt(Math.round(((Number(d) * 24 + Number(h)) * 60 + Number(mi)) * 60_000 + Number(s) * 1000));
}
