/**
 * One object for the agent: the configured printer driver, the durable job queue, receipt
 * rendering with the signed QR, the official-rate rule, and the events. The agent supplies the
 * storage (SQLite), the rate list and device key from its configuration, and an `emit` that
 * writes events to its outbox.
 */
import { randomUUID } from 'node:crypto';
import { prepareReceipt, signReceiptQr, type KeyInput, type RateList, type Receipt, type ReceiptRequest } from '../../protocols/escpos/index.js';
import type { Logger } from '../common/logger.js';
import type { PrinterConfig } from './config.js';
import { openLinkFor } from './open-link.js';
import { watchPrinter, type PrinterEvent } from './events.js';
import type { PrinterHealth } from './health.js';
import type { OpenLink } from './link.js';
import { PrinterDriver } from './printer.js';
import { PrintQueue, type PrintJob, type PrintJobStore } from './queue.js';
import { receiptRenderer, testPageJob } from './receipts.js';
import { isPrinterError } from './errors.js';

export interface ReceiptPrinterOptions {
  config: PrinterConfig;
  /** The official rate list (configuration). */
  rates: RateList;
  /** The kiosk's Ed25519 device key. */
  privateKey: KeyInput;
  store: PrintJobStore;
  logger: Logger;
  /** Receives printer events (to the outbox). */
  emit: (e: PrinterEvent) => void;
  /** Overrides the link built from `config.transport` (tests, simulators). */
  openLink?: OpenLink;
  newId?: () => string;
}

export interface QueuedReceipt {
  jobId: string;
  receipt: Receipt;
  /** The signed QR text, for the ledger: central can verify it later. */
  qr: string;
}

export class ReceiptPrinter {
  readonly driver: PrinterDriver;
  readonly queue: PrintQueue;
  readonly #o: ReceiptPrinterOptions;
  #unwatch: () => void = () => undefined;

  constructor(o: ReceiptPrinterOptions) {
    this.#o = o;
    const c = o.config;
    this.driver = new PrinterDriver({
      openLink: o.openLink ?? openLinkFor(c.transport),
      logger: o.logger,
      pollIntervalMs: c.pollIntervalMs,
      statusTimeoutMs: c.statusTimeoutMs,
      barrierTimeoutMs: c.barrierTimeoutMs,
    });
    this.queue = new PrintQueue({
      store: o.store,
      sink: this.driver,
      render: receiptRenderer({ paper: c.paper, privateKey: o.privateKey }),
      logger: o.logger,
      retryMs: c.retryMs,
    });
  }

  get health(): PrinterHealth {
    return this.driver.health;
  }

  /** Opens the printer and resumes the queue; returns the jobs a crash left uncertain. */
  async start(): Promise<PrintJob[]> {
    this.#unwatch = watchPrinter(this.driver, this.queue, this.#o.emit);
    await this.driver.start();
    // The previous process may have died mid-job, leaving the printer inside a command.
    return this.queue.start(() => (this.driver.lifecycle === 'ready' ? this.driver.flushParser() : Promise.resolve()));
  }

  async stop(): Promise<void> {
    this.queue.stop();
    this.#unwatch();
    await this.driver.stop();
  }

  /**
   * Applies the rate rule (throws EscposError AboveOfficialRate / UnknownService /
   * MoneyNotPaise / ReceiptInvalid before anything is stored), then queues the receipt.
   * Resolves once the job is durable; printing follows in order. `rates` overrides the list
   * given at construction (the agent passes its current configuration); `duplicate` prints the
   * DUPLICATE banner (the ledger knows whether this transaction was printed before).
   * Matches agent/ledger/printer.ts `ReceiptPrinter.printReceipt`.
   */
  async printReceipt(req: ReceiptRequest, opts: { duplicate?: boolean; rates?: RateList } = {}): Promise<QueuedReceipt> {
    const receipt = prepareReceipt(req, opts.rates ?? this.#o.rates);
    const qr = signReceiptQr(receipt, this.#o.privateKey);
    const jobId = (this.#o.newId ?? randomUUID)();
    await this.queue.enqueue(jobId, receipt.receiptNo, receipt, { duplicate: opts.duplicate ?? false });
    return { jobId, receipt, qr };
  }

  /**
   * The technician's / `print.test` job's test page, sent straight to the printer (between
   * queued jobs: the driver runs one job at a time). Never throws for printer conditions.
   */
  async printTest(now = Date.now()): Promise<{ ok: boolean; detail?: string }> {
    try {
      const outcome = await this.driver.send(testPageJob(this.#o.config.paper, now));
      return { ok: true, detail: outcome === 'printed' ? 'printed' : 'sent (printer gives no confirmation)' };
    } catch (err) {
      if (isPrinterError(err)) return { ok: false, detail: `${err.code}: ${err.message}` };
      throw err;
    }
  }

  /** Operator: reprint (marked DUPLICATE). */
  reprint(jobId: string): Promise<PrintJob> {
    return this.queue.reprint(jobId, (this.#o.newId ?? randomUUID)());
  }

  confirmPrinted(jobId: string): Promise<void> {
    return this.queue.confirmPrinted(jobId);
  }

  uncertain(): Promise<PrintJob[]> {
    return this.queue.uncertain();
  }
}
