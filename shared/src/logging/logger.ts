// createLogger(): one winston logger per composition root, passed down; child({component}) per module.
// Pretty single-line output for people by default, JSON when asked. No default instance.

import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  json?: boolean;
  /** Write to stderr instead of stdout (CLIs whose stdout is their output). */
  stderr?: boolean;
  /** Silence all output (unit tests). */
  silent?: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = winston.format.printf((info) => {
    const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
    const extra = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest) : '';
    const where = component ? ` [${String(component)}]` : '';
    return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)}${where} ${String(message)}${extra}`;
  });
  const format = opts.json
    ? winston.format.combine(winston.format.timestamp(), winston.format.json())
    : winston.format.combine(winston.format.timestamp(), pretty);
  return winston.createLogger({
    level: opts.level ?? 'info',
    silent: opts.silent ?? false,
    format,
    transports: [
      new winston.transports.Console({
        stderrLevels: opts.stderr ? ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] : ['error'],
      }),
    ],
  });
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return createLogger({ silent: true });
}
