/**
 * Pairs the printer's reply bytes with the one status request in flight (reference B4: one
 * request at a time, each answered by one byte). The link's bytes are split into real-time,
 * sequential and ASB replies: the one the waiter wants settles it; a sequential (GS r) reply with
 * nobody waiting is kept for the print barrier; a late real-time one is dropped on purpose
 * (escpos-rs #18); ASB statuses go straight to the driver. Split from the driver so these pairing
 * rules read on their own, apart from when the driver asks.
 */
import { ReplySplitter, type PrinterReply, type PrinterStatus } from '../../protocols/escpos/index.js';
import type { Logger } from '../common/logger.js';
import type { Timers } from './timers.js';

/** Picks the byte out of the reply being waited for, or undefined for any other reply. */
export type ReplyMatch = (r: PrinterReply) => number | undefined;

interface Waiter {
  match: ReplyMatch;
  resolve: (b: number | undefined) => void;
  timer: unknown;
}

export class ReplyWaiter {
  readonly #timers: Timers;
  readonly #log: Logger;
  readonly #onAsb: (s: PrinterStatus) => void;
  readonly #splitter = new ReplySplitter();
  #waiter: Waiter | undefined;
  #lateSequential: number | undefined;

  constructor(timers: Timers, log: Logger, onAsb: (s: PrinterStatus) => void) {
    this.#timers = timers;
    this.#log = log;
    this.#onAsb = onAsb;
  }

  /** Resolves with the byte of the first reply `match` accepts, or undefined after `ms`. */
  wait(match: ReplyMatch, ms: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = this.#timers.setTimeout(() => this.settle(undefined), ms);
      this.#waiter = { match, resolve, timer };
    });
  }

  /** Ends the wait in flight, if any, with `b` (undefined: no answer). */
  settle(b: number | undefined): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = undefined;
    this.#timers.clearTimeout(w.timer);
    w.resolve(b);
  }

  /** A sequential reply that came with nobody waiting, handed out once. */
  takeLateSequential(): number | undefined {
    const b = this.#lateSequential;
    this.#lateSequential = undefined;
    return b;
  }

  /** Drops a partly received reply (a new link starts a new byte stream). */
  reset(): void {
    this.#splitter.reset();
  }

  /** Bytes from the link. */
  push(chunk: Uint8Array): void {
    for (const r of this.#splitter.push(chunk)) {
      if (r.kind === 'asb') {
        this.#onAsb(r.status);
        continue;
      }
      const got = this.#waiter?.match(r);
      if (got !== undefined) this.settle(got);
      else if (r.kind === 'sequential') this.#lateSequential = r.byte;
      else if (r.kind === 'discarded') this.#log.warn({ bytes: r.bytes.length }, 'unexpected bytes from printer');
      // A late real-time reply with nobody waiting (escpos-rs #18) is dropped on purpose; a late
      // sequential one is kept for the print barrier.
    }
  }
}
