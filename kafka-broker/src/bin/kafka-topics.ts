#!/usr/bin/env node
// kafka-topics: create, list, describe, alter and delete topics, over the Kafka protocol
// (--bootstrap-server) or on ZooKeeper (--zookeeper), with Kafka 2.8's options (tools/kafka-topics.ts).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runKafkaTopics, TOPICS_DESCRIPTION } from '../tools/kafka-topics';
import { integerOption, runToolProcess, usageAndExit } from './tool-process';

const args = hideBin(process.argv);
const parser = yargs(args)
  .scriptName('kafka-topics')
  .usage(
    `${TOPICS_DESCRIPTION}\n\nUsage: $0 (--bootstrap-server host:port | --zookeeper host:port[/chroot]) <action> [options]`,
  )
  .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'dot-notation': false })
  .options({
    'bootstrap-server': {
      type: 'string',
      describe: 'The Kafka server to connect to (host:port[,host:port...]).',
    },
    zookeeper: {
      type: 'string',
      describe:
        'DEPRECATED: the ZooKeeper connection string host:port[,host:port...][/chroot]; the tool then works on ZooKeeper directly.',
    },
    create: { type: 'boolean', describe: 'Create a new topic.' },
    list: { type: 'boolean', describe: 'List all available topics.' },
    describe: { type: 'boolean', describe: 'List details for the given topics.' },
    alter: {
      type: 'boolean',
      describe: 'Alter the number of partitions, replica assignment, and/or configuration for the topic.',
    },
    delete: { type: 'boolean', describe: 'Delete a topic.' },
    topic: {
      type: 'string',
      describe: 'The topic to create, alter, describe or delete. A regular expression except for --create.',
    },
    partitions: {
      type: 'string',
      coerce: integerOption('partitions'),
      describe:
        "The number of partitions of the topic being created or altered (default for --create with --bootstrap-server: the broker's num.partitions).",
    },
    'replication-factor': {
      type: 'string',
      coerce: integerOption('replication-factor'),
      describe:
        "The replication factor of each partition of the topic being created (default with --bootstrap-server: the broker's default.replication.factor).",
    },
    'replica-assignment': {
      type: 'string',
      describe:
        'Manual partition-to-broker assignment: b1:b2,b3:b4 (partition 0 on b1 and b2, partition 1 on b3 and b4, ...).',
    },
    config: {
      type: 'string',
      array: true,
      describe:
        'A topic configuration override name=value for the topic being created or altered (repeatable).',
    },
    'delete-config': {
      type: 'string',
      array: true,
      describe: 'A topic configuration override to remove (--alter with --zookeeper only).',
    },
    'if-exists': {
      type: 'boolean',
      describe: 'When altering, deleting or describing: act only if the topic exists.',
    },
    'if-not-exists': {
      type: 'boolean',
      describe: 'When creating: act only if the topic does not exist yet.',
    },
    'exclude-internal': { type: 'boolean', describe: 'Leave internal topics out of --list and --describe.' },
    'under-replicated-partitions': {
      type: 'boolean',
      describe: '--describe: only partitions with fewer in-sync replicas than replicas.',
    },
    'unavailable-partitions': {
      type: 'boolean',
      describe: '--describe: only partitions whose leader is not available.',
    },
    'under-min-isr-partitions': {
      type: 'boolean',
      describe:
        '--describe: only partitions with fewer in-sync replicas than min.insync.replicas (--bootstrap-server).',
    },
    'at-min-isr-partitions': {
      type: 'boolean',
      describe:
        '--describe: only partitions with exactly min.insync.replicas in-sync replicas (--bootstrap-server).',
    },
    'topics-with-overrides': {
      type: 'boolean',
      describe: '--describe: only topics with overridden configs.',
    },
  })
  .epilogue(
    'Exit codes: 0 done, 1 failed (the message follows "Error while executing topic command :") or misused.',
  )
  .strict()
  .wrap(null)
  .version(false)
  .help();

if (args.length === 0) {
  void usageAndExit(parser, TOPICS_DESCRIPTION);
} else {
  const argv = parser.parseSync();
  runToolProcess(parser, (io) =>
    runKafkaTopics(
      {
        bootstrapServer: argv['bootstrap-server'],
        zookeeper: argv.zookeeper,
        create: argv.create,
        list: argv.list,
        describe: argv.describe,
        alter: argv.alter,
        delete: argv.delete,
        topic: argv.topic,
        partitions: argv.partitions as number | undefined,
        replicationFactor: argv['replication-factor'] as number | undefined,
        replicaAssignment: argv['replica-assignment'],
        config: argv.config,
        deleteConfig: argv['delete-config'],
        ifExists: argv['if-exists'],
        ifNotExists: argv['if-not-exists'],
        excludeInternal: argv['exclude-internal'],
        underReplicatedPartitions: argv['under-replicated-partitions'],
        unavailablePartitions: argv['unavailable-partitions'],
        underMinIsrPartitions: argv['under-min-isr-partitions'],
        atMinIsrPartitions: argv['at-min-isr-partitions'],
        topicsWithOverrides: argv['topics-with-overrides'],
      },
      io,
      { randomInt: (n) => Math.floor(Math.random() * n) },
    ),
  );
}
