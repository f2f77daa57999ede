/**
 * Structured JSON logs (pino) to stdout, which systemd's journal collects. Each subsystem
 * gets a child logger with a namespace (`ns: kiosk:agent:outbox`). Secrets are masked before
 * anything is logged (config/mask.ts); pino's redaction is the second line of defence for
 * fields that name a secret wherever they appear.
 */
import { pino, type Logger as Pino } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Pino {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', '*.*.password', 'pin', '*.pin', 'token', '*.token'], censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
