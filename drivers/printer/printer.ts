/**
 * The receipt printer driver: owns one link, polls status between jobs, sends jobs, and keeps
 * reconnecting with jittered backoff when the printer goes away. It never exits the process
 * (codebase-conventions §3.10) and works without any status at all, since many clones never
 * answer (reference B4, B9): status is used opportunistically.
 *
 * Status recipe (reference B4): DLE EOT 1–4, one request in flight, each answered by one byte
 * with the 0xx1xx10 pattern. After a job, GS r 1 — processed in sequence, so its answer means
 * the printer has worked through the job — serves as a print barrier where the unit supports
 * it; while the printer is stopped (paper out) it does not answer, and the driver keeps waiting
 * (polling DLE EOT, which is real-time) until paper is loaded and the held job has printed.
 *
 * This file is when the driver asks and what it does with the answers (status, barrier,
 * reconnect); its options and events are driver-options.ts, pairing reply bytes with the request
 * in flight is replies.ts, and the deadline on each link write is timed-write.ts.
 */
import { EventEmitter } from 'node:events';
import {
  STATUS_COMMANDS, blocksPrinting, decodeDleEot, decodeGsR1, mergeStatus, paperState,
  type DleEotFunction, type PrinterStatus,
} from '../../protocols/escpos/index.js';
import { Backoff } from '../common/backoff.js';
import type { Logger } from '../common/logger.js';
import {
  resolveDriverOptions, type PrinterDriverEvents, type PrinterDriverOptions, type PrinterLifecycle, type ResolvedDriverOptions, type SendOutcome,
} from './driver-options.js';
import { PrinterError, PrinterErrorCode, isPrinterError } from './errors.js';
import { printerHealth, type PrinterHealth } from './health.js';
import type { PrinterLink } from './link.js';
import { ReplyWaiter, type ReplyMatch } from './replies.js';
import { writeWithin } from './timed-write.js';

export type { PrinterDriverEvents, PrinterDriverOptions, PrinterLifecycle, SendOutcome } from './driver-options.js';

/** Consecutive unanswered DLE EOT requests after which the link is reopened. */
const MAX_MISSES = 3;
/** Consecutive unanswered probes after which the unit is taken to have no status support. */
const PROBE_MISSES = 2;

export class PrinterDriver extends EventEmitter<PrinterDriverEvents> {
  readonly #o: ResolvedDriverOptions;
  readonly #backoff: Backoff;
  readonly #log: Logger;
  #link: PrinterLink | undefined;
  #life: PrinterLifecycle = 'stopped';
  #status: PrinterStatus = {};
  #realtimeOk: boolean | undefined;
  #barrierOk: boolean | undefined;
  readonly #replies: ReplyWaiter;
  #chain: Promise<unknown> = Promise.resolve();
  #poll: unknown;
  #retry: unknown;
  #health: PrinterHealth = { state: 'absent', detail: 'not started', paper: 'unknown' };
  #everOpened = false;
  #misses = 0;
  /** A job was cut off mid-send: the printer's parser may be inside a command. */
  #dirty = false;
  #lastError: string | undefined;

  constructor(opts: PrinterDriverOptions) {
    super();
    this.#o = resolveDriverOptions(opts);
    this.#backoff = opts.backoff ?? new Backoff({ baseMs: 1000, capMs: 60000 });
    this.#log = opts.logger.child({ ns: 'kiosk:driver:printer' });
    this.#replies = new ReplyWaiter(this.#o.timers, this.#log, (s) => this.#apply(s));
  }

  get lifecycle(): PrinterLifecycle {
    return this.#life;
  }
  get status(): Readonly<PrinterStatus> {
    return this.#status;
  }
  get health(): PrinterHealth {
    return this.#health;
  }
  /** Why the last open failed (for the technician), cleared on success. */
  get lastError(): string | undefined {
    return this.#lastError;
  }
  /** Whether the unit answers DLE EOT (undefined until probed). */
  get statusSupported(): boolean | undefined {
    return this.#realtimeOk;
  }

  /** Opens the link (retrying in the background on failure) and resolves after the first attempt. */
  async start(): Promise<void> {
    if (this.#life !== 'stopped') return;
    await this.#open();
  }

  async stop(): Promise<void> {
    this.#setLife('stopped');
    this.#o.timers.clearTimeout(this.#poll);
    this.#o.timers.clearTimeout(this.#retry);
    this.#replies.settle(undefined);
    const link = this.#link;
    this.#link = undefined;
    await link?.close();
  }

  /**
   * Brings a printer that may be stuck inside a half-received command back to a known state:
   * NULs, then ESC @. Runs by itself after a job was cut off in this process; the agent calls it
   * after a restart that left jobs uncertain (the previous process may have died mid-send).
   */
  flushParser(): Promise<void> {
    return this.#exclusive(async () => {
      const link = this.#ready();
      this.#log.info({ bytes: this.#o.flushBytes }, 'flushing the printer after an interrupted job');
      const zeros = new Uint8Array(Math.min(this.#o.chunkBytes, this.#o.flushBytes));
      for (let left = this.#o.flushBytes; left > 0; left -= zeros.length) await this.#write(link, zeros.subarray(0, Math.min(left, zeros.length)));
      await this.#write(link, Uint8Array.of(0x1b, 0x40));
      this.#dirty = false;
    });
  }

  /** Queries DLE EOT 1–4 now (between jobs) and returns the merged status. */
  refreshStatus(): Promise<PrinterStatus> {
    return this.#exclusive(() => this.#queryStatus());
  }

  /**
   * Sends one job. Rejects with NotReady when the printer is known to be stopped (nothing is
   * sent, the caller keeps the job), or with WriteFailed/Closed when the link broke mid-job
   * (the caller must treat the job as uncertain: part of it may have printed).
   */
  send(bytes: Uint8Array): Promise<SendOutcome> {
    return this.#exclusive(async () => {
      const link = this.#ready();
      const before = await this.#queryStatus();
      if (blocksPrinting(before)) {
        throw new PrinterError(PrinterErrorCode.NotReady, `printer not ready: ${this.#health.detail ?? this.#health.state}`, { status: before });
      }
      this.#dirty = true;
      for (let off = 0; off < bytes.length; off += this.#o.chunkBytes) {
        await this.#write(link, bytes.subarray(off, off + this.#o.chunkBytes));
      }
      this.#dirty = false;
      this.#log.debug({ bytes: bytes.length }, 'job sent');
      return this.#barrierOk ? this.#barrier(link) : 'sent';
    });
  }

  async #barrier(link: PrinterLink): Promise<SendOutcome> {
    // GS r is sequential and only one is in flight, so any sequential reply from here on is the
    // answer to this one — even one that arrives while a DLE EOT poll below is waiting.
    this.#replies.takeLateSequential(); // a stale one, from before this barrier, is dropped
    await this.#write(link, STATUS_COMMANDS.gsR1);
    let waited = 0;
    for (;;) {
      const late = this.#replies.takeLateSequential();
      const b = late ?? (await this.#replies.wait((r) => (r.kind === 'sequential' ? r.byte : undefined), this.#o.statusTimeoutMs));
      if (b !== undefined) {
        this.#apply(decodeGsR1(b));
        return 'printed';
      }
      if (this.#link !== link) throw new PrinterError(PrinterErrorCode.Closed, 'link lost while the job was printing');
      waited += this.#o.statusTimeoutMs;
      // A stopped printer holds the job and the barrier: keep waiting, reporting status.
      const s = await this.#queryRealtime();
      if (!blocksPrinting(s) && waited >= this.#o.barrierTimeoutMs) return 'sent';
    }
  }

  #ready(): PrinterLink {
    if (this.#life !== 'ready' || !this.#link) {
      throw new PrinterError(PrinterErrorCode.NotReady, `printer is ${this.#life}`, { lifecycle: this.#life });
    }
    return this.#link;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #queryStatus(): Promise<PrinterStatus> {
    const s = await this.#queryRealtime();
    // Probe GS r only on a running printer: a stopped one holds sequential commands (ref B4).
    if (this.#barrierOk === undefined && this.#realtimeOk && this.#link && !blocksPrinting(s)) {
      const b = await this.#ask(this.#link, STATUS_COMMANDS.gsR1, (r) => (r.kind === 'sequential' ? r.byte : undefined));
      this.#barrierOk = b !== undefined;
      if (b !== undefined) this.#apply(decodeGsR1(b));
    }
    return s;
  }

  async #queryRealtime(): Promise<PrinterStatus> {
    const link = this.#link;
    if (!link || !link.canRead || this.#realtimeOk === false) return this.#status;
    const parts: PrinterStatus[] = [];
    for (const n of [1, 2, 3, 4] as DleEotFunction[]) {
      const b = await this.#ask(link, STATUS_COMMANDS.dleEot(n), (r) => (r.kind === 'realtime' ? r.byte : undefined));
      if (b === undefined) {
        if (this.#realtimeOk === true && ++this.#misses >= MAX_MISSES && this.#link === link) {
          // A unit that used to answer real-time requests (which it does even when out of paper,
          // reference B4) has gone silent: treat the link as dead and reopen it, as a TCP
          // printer that lost power without a FIN would otherwise never be noticed.
          this.#log.warn({ address: link.address, misses: this.#misses }, 'printer stopped answering status; reopening');
          void link.close();
        }
        // Two unanswered probes in a row before giving up on status: a busy Pi can miss one.
        if (this.#realtimeOk === undefined && ++this.#misses >= PROBE_MISSES) {
          this.#realtimeOk = false;
          this.#barrierOk = false;
          this.#log.info({ address: link.address }, 'printer does not answer DLE EOT; printing without status');
          this.#setHealth();
        }
        return this.#status;
      }
      this.#realtimeOk = true;
      this.#misses = 0;
      parts.push(decodeDleEot(n, b));
    }
    // All four replies are fresh, so every DLE EOT field is overwritten; ASB/GS r extras stay.
    this.#apply(mergeStatus(...parts));
    return this.#status;
  }

  /** Sends a request with its reply waiter armed first, so even an instant reply is caught. */
  async #ask(link: PrinterLink, bytes: Uint8Array, match: ReplyMatch): Promise<number | undefined> {
    const reply = this.#replies.wait(match, this.#o.statusTimeoutMs);
    try {
      await this.#write(link, bytes);
    } catch (err) {
      this.#replies.settle(undefined);
      await reply;
      throw err;
    }
    return reply;
  }

  /** link.write with a deadline; on expiry the link is treated as dead and reopened. */
  #write(link: PrinterLink, bytes: Uint8Array): Promise<void> {
    return writeWithin(link, bytes, this.#o.writeTimeoutMs, this.#o.timers, this.#log);
  }

  #apply(s: PrinterStatus): void {
    const from = paperState(this.#status);
    this.#status = mergeStatus(this.#status, s);
    const to = paperState(this.#status);
    this.emit('status', this.#status);
    if (from !== to) this.emit('paper', { from, to });
    this.#setHealth();
  }

  #setHealth(): void {
    const h = printerHealth(this.#life, this.#status, this.#realtimeOk, this.#everOpened);
    if (h.state !== this.#health.state || h.detail !== this.#health.detail || h.paper !== this.#health.paper) {
      this.#health = h;
      this.emit('health', h);
    }
  }

  #setLife(l: PrinterLifecycle): void {
    if (l === this.#life) return;
    this.#life = l;
    this.emit('lifecycle', l);
    this.#setHealth();
  }

  async #open(): Promise<void> {
    this.#setLife('opening');
    let link: PrinterLink;
    try {
      link = await this.#o.openLink();
    } catch (err) {
      this.#lastError = (err as Error).message;
      this.#log.warn({ err: (err as Error).message, code: isPrinterError(err) ? err.code : undefined }, 'printer open failed');
      this.#scheduleReconnect();
      return;
    }
    if (this.#life === 'stopped') {
      await link.close();
      return;
    }
    this.#link = link;
    this.#lastError = undefined;
    this.#everOpened = true;
    this.#misses = 0;
    // Probe again: the unit behind the link may have changed (or stopped answering status).
    this.#realtimeOk = undefined;
    this.#barrierOk = undefined;
    this.#replies.reset();
    this.#backoff.reset();
    link.onData((c) => this.#replies.push(c));
    link.onClose((err) => this.#onClose(link, err));
    this.#setLife('ready');
    this.#log.info({ kind: link.kind, address: link.address }, 'printer link open');
    if (this.#dirty) await this.flushParser().catch(() => undefined);
    if (this.#o.asb && link.canRead) await link.write(STATUS_COMMANDS.enableAsb(0xff)).catch(() => undefined);
    await this.refreshStatus().catch(() => undefined);
    if (this.#realtimeOk === undefined && this.#link === link) await this.refreshStatus().catch(() => undefined);
    this.#schedulePoll();
  }

  #onClose(link: PrinterLink, err?: Error): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#replies.settle(undefined);
    if (this.#life === 'stopped') return;
    this.#log.warn({ err: err?.message }, 'printer link lost');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#life === 'stopped') return;
    this.#setLife('reconnecting');
    this.#o.timers.clearTimeout(this.#poll);
    const delay = this.#backoff.next();
    this.#retry = this.#o.timers.setTimeout(() => void this.#open(), delay);
  }

  #schedulePoll(): void {
    this.#o.timers.clearTimeout(this.#poll);
    // A stop (or a lost link) during the first status requests has already cleared the poll; a
    // timer started after it would only hold the process open for one interval.
    if (this.#life !== 'ready') return;
    this.#poll = this.#o.timers.setTimeout(() => {
      if (this.#life !== 'ready') return;
      this.refreshStatus()
        .catch((err: unknown) => this.#log.debug({ err: (err as Error).message }, 'status poll failed'))
        .finally(() => this.#schedulePoll());
    }, this.#o.pollIntervalMs);
  }
}
