#!/usr/bin/env node
// kafka-console-consumer: records of a topic to stdout, with Kafka 2.8's options
// (tools/console-consumer.ts).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CONSUMER_DESCRIPTION, runConsoleConsumer } from '../tools/console-consumer';
import { integerOption, runToolProcess, usageAndExit } from './tool-process';

const args = hideBin(process.argv);
const parser = yargs(args)
  .scriptName('kafka-console-consumer')
  .usage(`${CONSUMER_DESCRIPTION}\n\nUsage: $0 --bootstrap-server host:port --topic <topic> [options]`)
  .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'dot-notation': false })
  .options({
    'bootstrap-server': { type: 'string', describe: 'REQUIRED: the server(s) to connect to.' },
    topic: { type: 'string', describe: 'The topic to consume on.' },
    whitelist: {
      type: 'string',
      describe: 'A regular expression of the topics to consume (instead of --topic).',
    },
    include: { type: 'string', describe: 'The same as --whitelist.' },
    partition: {
      type: 'string',
      coerce: integerOption('partition'),
      describe: 'The partition to consume from; from the end of the partition unless --offset is given.',
    },
    offset: {
      type: 'string',
      describe:
        "The offset to consume from (with --partition): a non-negative number, 'earliest' or 'latest' (default).",
    },
    group: { type: 'string', describe: 'The consumer group id of the consumer.' },
    'from-beginning': {
      type: 'boolean',
      describe:
        'Start with the earliest message when there is no committed offset to go on from (instead of the latest).',
    },
    'max-messages': {
      type: 'string',
      coerce: integerOption('max-messages'),
      describe: 'The number of messages to consume before exiting; without it, consumption goes on.',
    },
    'timeout-ms': {
      type: 'string',
      coerce: integerOption('timeout-ms'),
      describe: 'Exit when no message arrives for this many ms.',
    },
    property: {
      type: 'string',
      array: true,
      describe:
        'A formatter property (repeatable): print.timestamp, print.key, print.offset, print.partition, print.headers, print.value =true|false; key.separator, line.separator, headers.separator, null.literal =<text>.',
    },
    'consumer-property': {
      type: 'string',
      array: true,
      describe: 'A consumer config key=value, e.g. group.id=g, auto.offset.reset=earliest (repeatable).',
    },
    'consumer.config': {
      type: 'string',
      describe: 'A consumer config properties file; --consumer-property takes precedence.',
    },
    formatter: {
      type: 'string',
      describe: 'The message formatter; only kafka.tools.DefaultMessageFormatter is available.',
    },
    'isolation-level': {
      type: 'string',
      describe:
        'read_committed leaves out records of transactions not committed; read_uncommitted (default) shows all.',
    },
    'skip-message-on-error': {
      type: 'boolean',
      describe: 'Accepted for compatibility; printing a message does not fail here.',
    },
  })
  .epilogue(
    'Ends with "Processed a total of N messages" on stderr. Exit codes: 0 done, 1 failed or misused, 130 after Ctrl-C.',
  )
  .strict()
  .wrap(null)
  .version(false)
  .help();

if (args.length === 0) {
  void usageAndExit(parser, CONSUMER_DESCRIPTION);
} else {
  const argv = parser.parseSync();
  runToolProcess(parser, (io) =>
    runConsoleConsumer(
      {
        bootstrapServer: argv['bootstrap-server'],
        topic: argv.topic,
        whitelist: argv.whitelist,
        include: argv.include,
        partition: argv.partition as number | undefined,
        offset: argv.offset,
        group: argv.group,
        fromBeginning: argv['from-beginning'],
        maxMessages: argv['max-messages'] as number | undefined,
        timeoutMs: argv['timeout-ms'] as number | undefined,
        property: argv.property,
        consumerProperty: argv['consumer-property'],
        consumerConfig: argv['consumer.config'],
        formatter: argv.formatter,
        isolationLevel: argv['isolation-level'],
        skipMessageOnError: argv['skip-message-on-error'],
      },
      io,
      {},
    ),
  );
}
