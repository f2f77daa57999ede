/**
 * What the printer driver is given and what it tells: its options with their defaults, its
 * lifecycle, and its events. Split from the driver so the tunables (poll period, status and
 * barrier waits, chunk size, write deadline, parser flush) and the reasons for their defaults
 * (reference B4, B9) read in one place, apart from the status and reconnect logic.
 */
import type { PaperState, PrinterStatus } from '../../protocols/escpos/index.js';
import type { Backoff } from '../common/backoff.js';
import type { Logger } from '../common/logger.js';
import type { PrinterHealth } from './health.js';
import type { OpenLink } from './link.js';
import { realTimers, type Timers } from './timers.js';

export type PrinterLifecycle = 'stopped' | 'opening' | 'ready' | 'reconnecting';

export interface PrinterDriverOptions {
  openLink: OpenLink;
  logger: Logger;
  /** Status poll period while idle, ms. Default 5000. */
  pollIntervalMs?: number;
  /** Wait for one status byte, ms. Default 1000. */
  statusTimeoutMs?: number;
  /** Wait for the GS r barrier after a job while the printer reports no stop, ms. Default 20000. */
  barrierTimeoutMs?: number;
  /** Bytes per write; keeps any one write short (reference B9, ESC-POS-.NET #227). Default 4096. */
  chunkBytes?: number;
  /**
   * Longest wait for one write to be taken by the link, ms. Default 15000 (4 KiB at 9600 baud
   * takes about 4.3 s). A dead pty or a wedged USB endpoint otherwise blocks forever.
   */
  writeTimeoutMs?: number;
  /**
   * Also enable Automatic Status Back (GS a 0xFF) on open, so changes arrive without polling.
   * Default false; worth it on units whose DLE EOT is unreliable but ASB works (reference B4:
   * Oxhoo TP85 over USB/serial).
   */
  asb?: boolean;
  /**
   * NUL bytes sent before ESC @ after a job was cut off mid-send, so a printer still inside a
   * GS v 0 command finishes it with white rows instead of reading our next bytes as image data
   * (receiptio's recovery sends 8 192 NULs, reference B4). Default 18 440: one 256-row band at
   * 576 dots plus its header, the largest command encodeJob emits.
   */
  flushBytes?: number;
  backoff?: Backoff;
  timers?: Timers;
}

/** How a job ended from the driver's point of view. */
export type SendOutcome = 'printed' | 'sent';

export interface PrinterDriverEvents {
  status: [PrinterStatus];
  health: [PrinterHealth];
  paper: [{ from: PaperState; to: PaperState }];
  lifecycle: [PrinterLifecycle];
}

/** The options with every default filled in (the backoff is the driver's own). */
export type ResolvedDriverOptions = Required<Omit<PrinterDriverOptions, 'backoff' | 'timers'>> & { timers: Timers };

export function resolveDriverOptions(opts: PrinterDriverOptions): ResolvedDriverOptions {
  return {
    openLink: opts.openLink,
    logger: opts.logger,
    pollIntervalMs: opts.pollIntervalMs ?? 5000,
    statusTimeoutMs: opts.statusTimeoutMs ?? 1000,
    barrierTimeoutMs: opts.barrierTimeoutMs ?? 20000,
    chunkBytes: opts.chunkBytes ?? 4096,
    writeTimeoutMs: opts.writeTimeoutMs ?? 15_000,
    asb: opts.asb ?? false,
    flushBytes: opts.flushBytes ?? 256 * 72 + 8,
    timers: opts.timers ?? realTimers,
  };
}
