// Loads the golden hex fixtures of test/fixtures/kafka (captured from real clients by
// scripts/capture-kafka-fixtures.js; provenance in test/fixtures/PROVENANCE.md). A fixture file
// holds '#' comment lines and hex digits; whitespace is ignored.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ByteReader } from '../../../../shared/src';
import { APIS, ApiName, apiNameOf } from '../../../../kafka-broker/src/protocol/api-registry';
import {
  RequestHeader,
  peekRequestHeader,
  requestHeaderVersion,
} from '../../../../kafka-broker/src/protocol/headers';
import { MessageCodec } from '../../../../kafka-broker/src/protocol/schema';

export const KAFKA_FIXTURES = path.resolve(__dirname, '../../../fixtures/kafka');

export function readHex(file: string): Buffer {
  const text = fs.readFileSync(path.resolve(KAFKA_FIXTURES, file), 'utf8');
  const hex = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(hex, 'hex');
}

/** Request frame fixtures (files directly in the folder). */
export function requestFixtureNames(): string[] {
  return fs
    .readdirSync(KAFKA_FIXTURES)
    .filter((f) => f.endsWith('.hex'))
    .sort();
}

/** The frames one scenario captured for one API (e.g. 'kcat-produce', 'produce'), in order. */
export function scenarioFrames(scenario: string, apiKebab: string): Buffer[] {
  const pattern = new RegExp(`^${scenario}-${apiKebab}-v\\d+(-\\d+)?\\.hex$`);
  const names = requestFixtureNames().filter((n) => pattern.test(n));
  if (names.length === 0) throw new Error(`no ${apiKebab} frames captured for ${scenario}`);
  return names.map(readHex);
}

export interface GenericRequest {
  api: ApiName;
  version: number;
  header: RequestHeader;
  body: Record<string, unknown>;
  headerCodec: MessageCodec<unknown, unknown>;
  bodyCodec: MessageCodec<unknown, unknown>;
}

/** Decodes any request the schemas know (also versions outside the advertised ranges). */
export function decodeAnyRequest(frame: Buffer): GenericRequest {
  const prefix = peekRequestHeader(frame);
  const api = apiNameOf(prefix.apiKey);
  if (api === undefined) throw new Error(`unknown api key ${prefix.apiKey}`);
  const schema = APIS[api].request;
  const headerCodec = RequestHeader.at(
    requestHeaderVersion(prefix.apiKey, prefix.apiVersion, schema.isFlexible(prefix.apiVersion)),
  ) as MessageCodec<unknown, unknown>;
  const bodyCodec = schema.at(prefix.apiVersion) as MessageCodec<unknown, unknown>;
  const r = new ByteReader(frame);
  const header = headerCodec.read(r) as RequestHeader;
  const body = bodyCodec.read(r) as Record<string, unknown>;
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left`);
  return { api, version: prefix.apiVersion, header, body, headerCodec, bodyCodec };
}

/** Every record set of every Produce request a scenario captured. */
export function scenarioRecordSets(scenario: string): Buffer[] {
  return scenarioFrames(scenario, 'produce').flatMap((f) => produceRecords(decodeAnyRequest(f).body));
}

/** The records blobs of a decoded Produce request. */
export function produceRecords(body: Record<string, unknown>): Buffer[] {
  const topics = body['topicData'] as { partitionData: { records: Buffer | null }[] }[];
  return topics.flatMap((t) => t.partitionData.map((p) => p.records)).filter((r): r is Buffer => r !== null);
}
