/**
 * Child process for the kill -9 test: a kiosk printing a queue of receipts to the simulator,
 * with its jobs in a FileJobStore. Does nothing unless started by queue-crash.test.ts.
 */
import { PrintQueue } from '../../../drivers/printer/queue.js';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { tcpLink } from '../../../drivers/printer/link-tcp.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { FileJobStore } from './file-job-store.js';
import { textRender } from './helpers.js';

const { CRASH_PORT, CRASH_STORE, CRASH_JOBS } = process.env;
if (CRASH_PORT && CRASH_STORE && CRASH_JOBS) {
  const store = new FileJobStore(CRASH_STORE);
  const driver = new PrinterDriver({ openLink: tcpLink({ host: '127.0.0.1', port: Number(CRASH_PORT) }), logger: silentLogger, pollIntervalMs: 60_000, statusTimeoutMs: 1000 });
  await driver.start();
  const queue = new PrintQueue({ store, sink: driver, render: textRender, logger: silentLogger, retryMs: 50 });
  await queue.start();
  for (let i = 1; i <= Number(CRASH_JOBS); i++) await queue.enqueue(`j${i}`, `R-${i}`, { line: `RECEIPT ${i}` });
  // Keeps running (printing) until the parent kills it.
}
