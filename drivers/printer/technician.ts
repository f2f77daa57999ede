/**
 * What `kioskctl printer status|test` runs (the CLI itself belongs to provisioning/): open the
 * configured printer once, read its status, optionally print the test page, close. Never throws
 * for a missing or failing printer — the technician gets a report either way.
 */
import type { PaperWidth, PrinterStatus } from '../../protocols/escpos/index.js';
import type { Logger } from '../common/logger.js';
import { Backoff } from '../common/backoff.js';
import { isPrinterError } from './errors.js';
import type { PrinterHealth } from './health.js';
import type { OpenLink } from './link.js';
import { PrinterDriver, type PrinterLifecycle, type SendOutcome } from './printer.js';
import { testPageJob } from './receipts.js';

export interface PrinterReport {
  reachable: boolean;
  lifecycle: PrinterLifecycle;
  health: PrinterHealth;
  status: PrinterStatus;
  statusSupported: boolean | undefined;
  /** Why the printer could not be opened, when it could not. */
  error?: string;
  /** For `test`: how the test page went, or the error code. */
  test?: { outcome: SendOutcome } | { error: string; code?: string };
}

export interface TechnicianOptions {
  openLink: OpenLink;
  logger: Logger;
  statusTimeoutMs?: number;
}

async function withDriver(o: TechnicianOptions, fn: (d: PrinterDriver) => Promise<PrinterReport['test']>): Promise<PrinterReport> {
  const d = new PrinterDriver({
    openLink: o.openLink,
    logger: o.logger,
    statusTimeoutMs: o.statusTimeoutMs ?? 1000,
    pollIntervalMs: 3_600_000,
    backoff: new Backoff({ baseMs: 3_600_000, capMs: 3_600_000 }),
  });
  try {
    await d.start();
    const reachable = d.lifecycle === 'ready';
    const test = reachable ? await fn(d) : undefined;
    const r: PrinterReport = { reachable, lifecycle: d.lifecycle, health: d.health, status: { ...d.status }, statusSupported: d.statusSupported };
    if (test) r.test = test;
    if (d.lastError !== undefined) r.error = d.lastError;
    return r;
  } finally {
    await d.stop();
  }
}

export function printerStatusReport(o: TechnicianOptions): Promise<PrinterReport> {
  return withDriver(o, async (d) => {
    await d.refreshStatus();
    return undefined;
  });
}

/** Prints the test page: Hindi and English text, a QR code, a barcode and a cut. */
export function printerTestPage(o: TechnicianOptions & { paper: PaperWidth; now?: number }): Promise<PrinterReport> {
  return withDriver(o, async (d) => {
    try {
      return { outcome: await d.send(testPageJob(o.paper, o.now ?? Date.now())) };
    } catch (err) {
      return isPrinterError(err) ? { error: err.message, code: err.code } : { error: (err as Error).message };
    }
  });
}
