// Kafka's offset checkpoint files (recovery-point-offset-checkpoint, replication-offset-checkpoint,
// log-start-offset-checkpoint), one per log directory. Text format:
//   line 1: version (0)
//   line 2: number of entries
//   then one line per partition: `<topic> <partition> <offset>`
// Written to `<name>.tmp`, fsynced, then renamed over the old file.

import { CodecError } from '../../../shared/src';
import { readTextIfExists, writeFileAtomically } from './file-io';
import { isLegalPartition, isLegalTopicName } from './log-files';

export const CHECKPOINT_VERSION = 0;

export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export function formatCheckpoint(entries: readonly PartitionOffset[]): string {
  const lines = [String(CHECKPOINT_VERSION), String(entries.length)];
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
  return lines.join('\n') + '\n';
}

/** Parses a checkpoint; throws CodecError (offset = line number) when it is malformed. */
export function parseCheckpoint(text: string): PartitionOffset[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0]?.trim() !== String(CHECKPOINT_VERSION)) {
    throw new CodecError(`checkpoint version ${JSON.stringify(lines[0] ?? '')}, expected 0`, 1);
  }
  const count = Number(lines[1]?.trim());
  if (!Number.isInteger(count) || count < 0 || count !== lines.length - 2) {
    throw new CodecError(`checkpoint declares ${lines[1] ?? 'no'} entries, has ${Math.max(0, lines.length - 2)}`, 2);
  }
  const entries: PartitionOffset[] = [];
  for (let i = 2; i < lines.length; i++) entries.push(parseEntry(lines[i]!, i + 1));
  return entries;
}

function parseEntry(line: string, lineNumber: number): PartitionOffset {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 3 || !/^-?\d+$/.test(parts[2]!) || !/^\d+$/.test(parts[1]!)) {
    throw new CodecError(`checkpoint line ${JSON.stringify(line)} is not "topic partition offset"`, lineNumber);
  }
  const topic = parts[0]!;
  const partition = Number(parts[1]);
  if (!isLegalTopicName(topic) || !isLegalPartition(partition)) {
    throw new CodecError(`checkpoint line ${JSON.stringify(line)} names no legal partition`, lineNumber);
  }
  return { topic, partition, offset: BigInt(parts[2]!) };
}

/** Entries of the checkpoint at `filePath`; empty when the file does not exist. Throws CodecError if malformed. */
export function readCheckpointFile(filePath: string): PartitionOffset[] {
  const text = readTextIfExists(filePath);
  return text === null ? [] : parseCheckpoint(text);
}

export function writeCheckpointFile(filePath: string, entries: readonly PartitionOffset[]): void {
  writeFileAtomically(filePath, formatCheckpoint(entries));
}
