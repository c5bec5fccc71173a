#!/usr/bin/env node
// kafka-consumer-groups: list, describe, delete consumer groups and reset their offsets, with
// Kafka 2.8's options and tables (tools/consumer-groups.ts).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { GROUPS_DESCRIPTION, GROUPS_TIMEOUT_MS_DEFAULT, runConsumerGroups } from '../tools/consumer-groups';
import { integerOption, runToolProcess, usageAndExit } from './tool-process';

const args = hideBin(process.argv);
const parser = yargs(args)
  .scriptName('kafka-consumer-groups')
  .usage(
    `${GROUPS_DESCRIPTION}\n\nUsage: $0 --bootstrap-server host:port (--list | --describe | --delete | --reset-offsets) [options]`,
  )
  .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'dot-notation': false })
  .options({
    'bootstrap-server': { type: 'string', describe: 'REQUIRED: the server(s) to connect to.' },
    list: { type: 'boolean', describe: 'List all consumer groups.' },
    describe: {
      type: 'boolean',
      describe:
        'Describe a consumer group: its committed offsets, log end offsets and lag per partition, and which member has it.',
    },
    delete: { type: 'boolean', describe: 'Delete consumer groups (only groups without active members).' },
    'reset-offsets': {
      type: 'boolean',
      describe:
        'Reset the offsets of a group without active members: a dry run that prints the plan unless --execute is given.',
    },
    group: { type: 'string', array: true, describe: 'The consumer group to act on (repeatable).' },
    'all-groups': { type: 'boolean', describe: 'Act on every consumer group.' },
    topic: {
      type: 'string',
      array: true,
      describe: '--reset-offsets: a topic, or topic:0,1,2 for some of its partitions (repeatable).',
    },
    'all-topics': {
      type: 'boolean',
      describe: '--reset-offsets: every topic the group has committed offsets for.',
    },
    'to-earliest': { type: 'boolean', describe: 'Reset to the earliest offset.' },
    'to-latest': { type: 'boolean', describe: 'Reset to the latest offset.' },
    'to-current': {
      type: 'boolean',
      describe: 'Reset to the current committed offset (the latest where there is none).',
    },
    'to-offset': {
      type: 'string',
      coerce: integerOption('to-offset'),
      describe: "Reset to this offset (moved into the log's range).",
    },
    'shift-by': {
      type: 'string',
      coerce: integerOption('shift-by'),
      describe: 'Move the committed offsets by this many (negative: back).',
    },
    'to-datetime': {
      type: 'string',
      describe: "Reset to the first offset at or after a time: 'YYYY-MM-DDTHH:mm:SS.sss' (optional zone).",
    },
    'by-duration': {
      type: 'string',
      describe: 'Reset to the first offset at or after now minus a duration: PnDTnHnMnS.',
    },
    execute: { type: 'boolean', describe: 'Commit the new offsets.' },
    'dry-run': { type: 'boolean', describe: 'Only print the new offsets (the default).' },
    export: {
      type: 'boolean',
      describe: 'Print the new offsets as CSV (topic,partition,offset; group first for several groups).',
    },
    members: { type: 'boolean', describe: '--describe: the members instead of the offsets.' },
    offsets: { type: 'boolean', describe: '--describe: the offsets (the default).' },
    state: { type: 'boolean', describe: '--describe: the group state; --list: each group with its state.' },
    verbose: { type: 'boolean', describe: "--describe --members: each member's partitions too." },
    timeout: {
      type: 'string',
      coerce: integerOption('timeout'),
      describe: `How long to wait for the group coordinator and answers, ms (default ${GROUPS_TIMEOUT_MS_DEFAULT}).`,
    },
  })
  .epilogue('Exit codes: 0 done, 1 failed (the message follows "Error:") or misused.')
  .strict()
  .wrap(null)
  .version(false)
  .help();

if (args.length === 0) {
  void usageAndExit(parser, GROUPS_DESCRIPTION);
} else {
  const argv = parser.parseSync();
  runToolProcess(parser, (io) =>
    runConsumerGroups(
      {
        bootstrapServer: argv['bootstrap-server'],
        list: argv.list,
        describe: argv.describe,
        delete: argv.delete,
        resetOffsets: argv['reset-offsets'],
        group: argv.group,
        allGroups: argv['all-groups'],
        topic: argv.topic,
        allTopics: argv['all-topics'],
        toEarliest: argv['to-earliest'],
        toLatest: argv['to-latest'],
        toCurrent: argv['to-current'],
        toOffset: argv['to-offset'] as number | undefined,
        shiftBy: argv['shift-by'] as number | undefined,
        toDatetime: argv['to-datetime'],
        byDuration: argv['by-duration'],
        execute: argv.execute,
        dryRun: argv['dry-run'],
        export: argv.export,
        members: argv.members,
        offsets: argv.offsets,
        state: argv.state,
        verbose: argv.verbose,
        timeout: argv.timeout as number | undefined,
      },
      io,
    ),
  );
}
