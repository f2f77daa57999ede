/**
 * The last step of a power shutdown: the configured command (default `systemctl poweroff`), run
 * once the store is closed. It is an argument list run without a shell, so nothing in the
 * configuration is ever interpreted by one. In dryRun (tests, the demo) it is only recorded: a
 * log line, and one JSON line appended to `recordFile` when configured, so a test can see it.
 */
import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import type { Logger } from '../../drivers/common/logger.js';

export interface ShutdownCommand {
  command: string[];
  dryRun: boolean;
  recordFile?: string | undefined;
  /** Why, for the record: e.g. low_battery. */
  cause: string;
  /** How long to wait for the command to return, ms (systemctl returns once the job is queued). */
  timeoutMs?: number;
}

export type CommandOutcome = { ran: false; recorded: boolean } | { ran: true; code: number | null; error?: string };

export async function runShutdownCommand(c: ShutdownCommand, logger: Logger): Promise<CommandOutcome> {
  const [file, ...args] = c.command;
  if (c.dryRun || !file) {
    logger.warn({ command: c.command, cause: c.cause }, 'dry run: shutdown command recorded, not run');
    if (!c.recordFile) return { ran: false, recorded: false };
    try {
      await appendFile(c.recordFile, `${JSON.stringify({ ts: Date.now(), command: c.command, cause: c.cause, dryRun: true })}\n`);
      return { ran: false, recorded: true };
    } catch (err) {
      logger.error({ err: (err as Error).message, file: c.recordFile }, 'shutdown record not written');
      return { ran: false, recorded: false };
    }
  }
  logger.warn({ command: c.command, cause: c.cause }, 'running the shutdown command');
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'ignore', shell: false });
    const timer = setTimeout(() => {
      logger.error({ command: c.command }, 'shutdown command still running; leaving it');
      resolve({ ran: true, code: null, error: 'timeout' });
    }, c.timeoutMs ?? 30_000);
    timer.unref();
    child.once('error', (err) => {
      clearTimeout(timer);
      logger.error({ err: err.message, command: c.command }, 'shutdown command could not start');
      resolve({ ran: true, code: null, error: err.message });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) logger.error({ code, command: c.command }, 'shutdown command failed');
      resolve({ ran: true, code });
    });
  });
}
