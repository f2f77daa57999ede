/**
 * Structured JSON logs (pino). The root logger carries no namespace; each part of the fleet logs
 * through `child(log, 'ingest')` and so on, which tags its lines `ns: "fleet:ingest"`.
 */
import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const opts = { level, base: { pid: process.pid, hostname: hostname() }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(opts, destination) : pino(opts);
}

export function child(log: Logger, ns: string): Logger {
  return log.child({ ns: `fleet:${ns}` });
}

export const silentLogger: Logger = pino({ level: 'silent' });
