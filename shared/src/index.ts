// The only entry point of shared/: explicit re-exports.
export * from './errors';
export * from './assert';
export { ByteReader } from './binary/byte-reader';
export { ByteWriter } from './binary/byte-writer';
export { crc32, crc32c, adler32 } from './binary/checksums';
export * as jute from './jute-ts';
export { FrameSplitter } from './net/frame-splitter';
export { parseProperties, PropertyEntry } from './config/properties-file';
export { applyTable, KeySpec, types as configTypes, TableValues, ParsedTable } from './config/config-table';
export { createLogger, silentLogger, Logger, LoggerOptions } from './logging/logger';
export { Clock, SystemClock, TimerHandle } from './time/clock';
export { Rng, seededRng } from './random/rng';
export { ZkClient, ZkError, ZkStat, CreateMode, MultiOp as ZkMultiOp, ZkClientOptions } from './zk-client/zk-client';
