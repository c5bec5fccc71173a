#!/usr/bin/env node
// kafka-console-producer: stdin lines -> records of --topic, with Kafka 2.8's options
// (tools/console-producer.ts).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { PRODUCER_DESCRIPTION, runConsoleProducer } from '../tools/console-producer';
import { integerOption, runToolProcess, usageAndExit } from './tool-process';

const args = hideBin(process.argv);
const parser = yargs(args)
  .scriptName('kafka-console-producer')
  .usage(
    `${PRODUCER_DESCRIPTION}\n\nUsage: $0 --bootstrap-server host:port --topic <topic> [options] < lines`,
  )
  .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'dot-notation': false })
  .options({
    'bootstrap-server': {
      type: 'string',
      describe:
        'REQUIRED unless --broker-list is given: the server(s) to connect to, host1:port1,host2:port2.',
    },
    'broker-list': {
      type: 'string',
      describe: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is given.',
    },
    topic: { type: 'string', describe: 'REQUIRED: the topic to produce messages to.' },
    sync: {
      type: 'boolean',
      describe: 'Send each message on its own and wait for its acknowledgement before the next.',
    },
    'compression-codec': {
      type: 'string',
      describe:
        "The compression codec: 'none', 'gzip', 'snappy', 'lz4' or 'zstd'; 'gzip' when given without a value.",
    },
    'compression-type': {
      type: 'string',
      describe: 'The same as --compression-codec (the producer config name).',
    },
    'message-send-max-retries': {
      type: 'string',
      coerce: integerOption('message-send-max-retries'),
      describe: 'Retries of a failed send before the message is dropped (default 3).',
    },
    'retry-backoff-ms': {
      type: 'string',
      coerce: integerOption('retry-backoff-ms'),
      describe: 'Wait before a retry, ms (default 100).',
    },
    timeout: {
      type: 'string',
      coerce: integerOption('timeout'),
      describe: 'How long a message may wait for more to fill its batch, ms: linger.ms (default 1000).',
    },
    'request-required-acks': {
      type: 'string',
      describe: 'The acks of produce requests: 1, 0, -1 or all (default 1).',
    },
    'request-timeout-ms': {
      type: 'string',
      coerce: integerOption('request-timeout-ms'),
      describe: 'How long the broker may wait for the acks, ms (default 1500).',
    },
    'max-block-ms': {
      type: 'string',
      coerce: integerOption('max-block-ms'),
      describe: 'How long a send waits for the topic metadata, ms (default 60000).',
    },
    'max-memory-bytes': {
      type: 'string',
      coerce: integerOption('max-memory-bytes'),
      describe: 'Bytes of messages waiting to be sent before stdin is read on (default 33554432).',
    },
    'max-partition-memory-bytes': {
      type: 'string',
      coerce: integerOption('max-partition-memory-bytes'),
      describe: 'Batch size per partition, bytes (default 16384).',
    },
    property: {
      type: 'string',
      array: true,
      describe:
        'A line reader property: parse.key=true|false, key.separator=<sep> (default a tab), ignore.error=true|false (repeatable).',
    },
    'producer-property': {
      type: 'string',
      array: true,
      describe: 'A producer config key=value, e.g. acks=all, compression.type=lz4, linger.ms=5 (repeatable).',
    },
    'producer.config': {
      type: 'string',
      describe: 'A producer config properties file; --producer-property takes precedence.',
    },
  })
  .epilogue(
    'Reads stdin to its end (Ctrl-D on a terminal, where each line gets a ">" prompt); Ctrl-C sends what was read and stops. Exit codes: 0 done, 1 failed or misused, 130 after Ctrl-C.',
  )
  .strict()
  .wrap(null)
  .version(false)
  .help();

if (args.length === 0) {
  void usageAndExit(parser, PRODUCER_DESCRIPTION);
} else {
  const argv = parser.parseSync();
  runToolProcess(parser, (io) =>
    runConsoleProducer(
      {
        bootstrapServer: argv['bootstrap-server'],
        brokerList: argv['broker-list'],
        topic: argv.topic,
        sync: argv.sync,
        compressionCodec: argv['compression-codec'],
        compressionType: argv['compression-type'],
        messageSendMaxRetries: argv['message-send-max-retries'] as number | undefined,
        retryBackoffMs: argv['retry-backoff-ms'] as number | undefined,
        timeout: argv.timeout as number | undefined,
        requestRequiredAcks: argv['request-required-acks'],
        requestTimeoutMs: argv['request-timeout-ms'] as number | undefined,
        maxBlockMs: argv['max-block-ms'] as number | undefined,
        maxMemoryBytes: argv['max-memory-bytes'] as number | undefined,
        maxPartitionMemoryBytes: argv['max-partition-memory-bytes'] as number | undefined,
        property: argv.property,
        producerProperty: argv['producer-property'],
        producerConfig: argv['producer.config'],
      },
      io,
      { randomInt: (n) => Math.floor(Math.random() * n) },
    ),
  );
}
