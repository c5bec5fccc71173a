// kafka-topics: create, list, describe, alter (more partitions, configs) and delete topics, with
// Kafka 2.8's options, checks, texts and exit codes (0 done, 1 failed or misused). Either
// --bootstrap-server (the Kafka protocol, bootstrap-topic-service.ts) or --zookeeper
// host:port[/chroot] (ZooKeeper directly, zk-topic-service.ts). Failures print
// "Error while executing topic command : <message>" on stdout, as Kafka does.

import { ZkClient } from '../../../shared/src';
import { API_TIMEOUT_MS_DEFAULT } from '../client/kafka-client';
import { BootstrapTopicService } from './bootstrap-topic-service';
import { DescribeFilters } from './topic-description';
import {
  TopicCommand,
  TopicCommandError,
  TopicService,
  COLLISION_WARNING,
  hasCollisionChars,
  parseReplicaAssignment,
} from './topic-service';
import {
  ToolExit,
  ToolIo,
  UsageError,
  bootstrapEndpoints,
  clientOptions,
  connectClient,
  logLine,
} from './tool-io';
import { ZK_TOOL_TIMEOUT_MS, ZkTopicService } from './zk-topic-service';

export const TOPICS_DESCRIPTION = 'Create, delete, describe, or change a topic.';
const CLIENT_ID = 'adminclient-1';

export interface KafkaTopicsArgs {
  readonly bootstrapServer?: string;
  readonly zookeeper?: string;
  readonly create?: boolean;
  readonly list?: boolean;
  readonly describe?: boolean;
  readonly delete?: boolean;
  readonly alter?: boolean;
  readonly topic?: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly replicaAssignment?: string;
  readonly config?: readonly string[];
  readonly deleteConfig?: readonly string[];
  readonly ifExists?: boolean;
  readonly ifNotExists?: boolean;
  readonly excludeInternal?: boolean;
  readonly underReplicatedPartitions?: boolean;
  readonly unavailablePartitions?: boolean;
  readonly underMinIsrPartitions?: boolean;
  readonly atMinIsrPartitions?: boolean;
  readonly topicsWithOverrides?: boolean;
}

export interface KafkaTopicsDeps {
  /** Uniform integer in [0, n): the random start of replica placement (--zookeeper --create). */
  readonly randomInt: (n: number) => number;
}

type Action = 'create' | 'list' | 'describe' | 'delete' | 'alter';
const ACTIONS: readonly Action[] = ['create', 'list', 'alter', 'describe', 'delete'];

/** Which action may use which option (Kafka's checkInvalidArgs), by option name. */
const OPTION_ACTIONS: readonly [keyof KafkaTopicsArgs, string, readonly Action[]][] = [
  ['config', 'config', ['create', 'alter']],
  ['deleteConfig', 'delete-config', ['alter']],
  ['partitions', 'partitions', ['create', 'alter']],
  ['replicationFactor', 'replication-factor', ['create']],
  ['replicaAssignment', 'replica-assignment', ['create', 'alter']],
  ['ifExists', 'if-exists', ['alter', 'delete', 'describe']],
  ['ifNotExists', 'if-not-exists', ['create']],
  ['underReplicatedPartitions', 'under-replicated-partitions', ['describe']],
  ['unavailablePartitions', 'unavailable-partitions', ['describe']],
  ['underMinIsrPartitions', 'under-min-isr-partitions', ['describe']],
  ['atMinIsrPartitions', 'at-min-isr-partitions', ['describe']],
  ['topicsWithOverrides', 'topics-with-overrides', ['describe']],
  ['excludeInternal', 'exclude-internal', ['list', 'describe']],
];

const isGiven = (v: unknown): boolean =>
  v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);

/** Kafka's TopicCommandOptions.checkArgs; returns the one action. */
export function checkTopicsArgs(a: KafkaTopicsArgs): Action {
  const actions = ACTIONS.filter((name) => a[name] === true);
  if (actions.length !== 1) {
    throw new UsageError(
      'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
    );
  }
  const action = actions[0]!;
  if ((a.bootstrapServer === undefined) === (a.zookeeper === undefined)) {
    throw new UsageError('Only one of --bootstrap-server or --zookeeper must be specified');
  }
  if (action === 'describe' && a.ifExists && a.topic === undefined)
    throw new UsageError('Missing required argument "[topic]"');
  if (action !== 'list' && action !== 'describe' && a.topic === undefined)
    throw new UsageError('Missing required argument "[topic]"');
  if (action === 'create' && a.replicaAssignment === undefined && a.zookeeper !== undefined) {
    if (a.partitions === undefined) throw new UsageError('Missing required argument "[partitions]"');
    if (a.replicationFactor === undefined)
      throw new UsageError('Missing required argument "[replication-factor]"');
  }
  if (a.bootstrapServer !== undefined && action === 'alter') {
    if (isGiven(a.config)) {
      throw new UsageError(
        'Option combination "[bootstrap-server],[config]" can\'t be used with option "[alter]" ' +
          '(the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)',
      );
    }
    if (a.partitions === undefined) throw new UsageError('Missing required argument "[partitions]"');
  }
  for (const [key, option, allowed] of OPTION_ACTIONS) {
    if (isGiven(a[key]) && !allowed.includes(action)) {
      throw new UsageError(`Option "[${option}]" can't be used with option "[${action}]"`);
    }
  }
  return action;
}

function filtersOf(a: KafkaTopicsArgs): DescribeFilters {
  return {
    underReplicatedPartitions: a.underReplicatedPartitions === true,
    unavailablePartitions: a.unavailablePartitions === true,
    underMinIsrPartitions: a.underMinIsrPartitions === true,
    atMinIsrPartitions: a.atMinIsrPartitions === true,
    topicsWithOverrides: a.topicsWithOverrides === true,
  };
}

/** --config key=value, as TopicCommand.parseTopicConfigsToBeAdded splits them (blanks around '=' dropped). */
function parseConfigs(items: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items ?? []) {
    const parts = item.split(/\s*=\s*/);
    if (parts.length !== 2) {
      throw new TopicCommandError(
        'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".',
      );
    }
    out.set(parts[0]!.trim(), parts[1]!.trim());
  }
  return out;
}

function commandOf(a: KafkaTopicsArgs): TopicCommand {
  return {
    topic: a.topic,
    partitions: a.partitions,
    replicationFactor: a.replicationFactor,
    replicaAssignment:
      a.replicaAssignment === undefined || a.replicaAssignment === ''
        ? undefined
        : parseReplicaAssignment(a.replicaAssignment),
    configs: parseConfigs(a.config),
    configsToDelete: (a.deleteConfig ?? []).map((k) => k.trim()),
    ifExists: a.ifExists === true,
    ifNotExists: a.ifNotExists === true,
    excludeInternal: a.excludeInternal === true,
    filters: filtersOf(a),
  };
}

async function openService(
  a: KafkaTopicsArgs,
  io: ToolIo,
  deps: KafkaTopicsDeps,
): Promise<TopicService | null> {
  if (a.zookeeper !== undefined) {
    let zk: ZkClient;
    try {
      zk = await ZkClient.connect(a.zookeeper, {
        sessionTimeoutMs: ZK_TOOL_TIMEOUT_MS,
        connectTimeoutMs: ZK_TOOL_TIMEOUT_MS,
      });
    } catch (e) {
      throw new TopicCommandError(`Timed out waiting for connection to ZooKeeper at ${a.zookeeper}`, {
        cause: e,
      });
    }
    return new ZkTopicService(zk, deps.randomInt);
  }
  const endpoints = bootstrapEndpoints(a.bootstrapServer, 'bootstrap-server');
  const client = await connectClient(
    io,
    clientOptions(io, endpoints, CLIENT_ID),
    Date.now() + API_TIMEOUT_MS_DEFAULT,
  );
  return client === null ? null : new BootstrapTopicService(client);
}

async function perform(action: Action, service: TopicService, c: TopicCommand, io: ToolIo): Promise<void> {
  switch (action) {
    case 'create':
      if (hasCollisionChars(c.topic!)) io.stdout.write(COLLISION_WARNING);
      return service.create(c, io.stdout);
    case 'list':
      return service.list(c, io.stdout);
    case 'describe':
      return service.describe(c, io.stdout);
    case 'alter':
      return service.alter(c, io.stdout);
    case 'delete':
      return service.delete(c, io.stdout);
  }
}

/** Runs one kafka-topics command; UsageError is left to the caller (which prints the usage). */
export async function runKafkaTopics(a: KafkaTopicsArgs, io: ToolIo, deps: KafkaTopicsDeps): Promise<number> {
  const action = checkTopicsArgs(a);
  let service: TopicService | null = null;
  try {
    const command = commandOf(a);
    service = await openService(a, io, deps);
    if (service === null) return ToolExit.INTERRUPTED;
    await perform(action, service, command, io);
    return ToolExit.OK;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    io.stdout.write(`Error while executing topic command : ${message}\n`);
    io.stderr.write(logLine('ERROR', message, io.nowMs()));
    return ToolExit.ERROR;
  } finally {
    service?.close();
  }
}
