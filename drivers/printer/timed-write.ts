/**
 * One write to a printer link with a deadline. A dead pty, a wedged USB endpoint or a TCP printer
 * that lost power without a FIN can leave a write pending forever; past the deadline the link is
 * closed, so the driver's close handler reconnects, and the write rejects with WriteTimeout.
 * Split from the driver as the one place link writes are bounded.
 */
import type { Logger } from '../common/logger.js';
import { PrinterError, PrinterErrorCode } from './errors.js';
import type { PrinterLink } from './link.js';
import type { Timers } from './timers.js';

export function writeWithin(link: PrinterLink, bytes: Uint8Array, ms: number, timers: Timers, log: Logger): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = timers.setTimeout(() => {
      log.warn({ address: link.address, bytes: bytes.length }, 'printer write timed out; reopening');
      void link.close();
      reject(new PrinterError(PrinterErrorCode.WriteTimeout, `write of ${bytes.length} bytes to ${link.address} timed out`, { address: link.address }));
    }, ms);
    link.write(bytes).then(
      () => {
        timers.clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        timers.clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
