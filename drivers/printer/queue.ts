/**
 * The print-job queue: a receipt is never silently printed twice nor silently lost (issue 5).
 *
 * - A job is persisted as `queued` before anything else happens, and as `sending` before its
 *   first byte goes out. After a crash (kill -9, power cut) every `sending` job is marked
 *   `uncertain` on start: part or all of it may be on paper, so it is never resent on its own.
 *   The operator either confirms it printed, or reprints it — and a reprint says DUPLICATE.
 * - A job the printer refuses up front (paper out, cover open: the driver's NotReady) goes back
 *   to `queued` and is retried when the printer reports ready, or on a timer.
 * - A link that breaks mid-job makes that job `uncertain` too.
 * Jobs print strictly in order, one at a time. Storage is an interface, so the agent backs it
 * with SQLite; tests use MemoryJobStore.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../common/logger.js';
import { PrinterError, PrinterErrorCode, isPrinterError } from './errors.js';
import type { PrinterHealth } from './health.js';
import type { SendOutcome } from './printer.js';
import { realTimers, type Timers } from './timers.js';

export type JobState = 'queued' | 'sending' | 'printed' | 'uncertain' | 'reprinted' | 'failed';

export interface PrintJob {
  /** Unique, assigned by the caller (e.g. a UUID). */
  id: string;
  /** Business key, e.g. the receipt number; several jobs share it when reprinted. */
  key: string;
  /** What to render, as JSON-safe data (the receipt); rendered when the job is sent. */
  doc: unknown;
  /** Render with the DUPLICATE banner. */
  duplicate: boolean;
  /** The job this one reprints. */
  reprintOf?: string;
  state: JobState;
  /** Times the job was handed to the driver (a refusal for paper out counts too). */
  attempts: number;
  /** Order of printing: strictly increasing, assigned by the store. */
  seq: number;
  createdAt: number;
  updatedAt: number;
  /** `printed` (barrier confirmed) or `sent` (no confirmation available) for printed jobs. */
  outcome?: SendOutcome;
  error?: string;
}

export type NewJob = Omit<PrintJob, 'seq'>;
export type JobPatch = Partial<Pick<PrintJob, 'state' | 'attempts' | 'updatedAt' | 'outcome' | 'error'>>;

/** What the queue needs from storage. Each call must be durable when its promise resolves. */
export interface PrintJobStore {
  /** Stores a new job and returns its seq. Rejects if the id exists. */
  insert(job: NewJob): Promise<number>;
  update(id: string, patch: JobPatch): Promise<void>;
  get(id: string): Promise<PrintJob | undefined>;
  /** Jobs in any of `states`, by seq ascending. */
  list(states: readonly JobState[]): Promise<PrintJob[]>;
}

/** In-memory store for tests and for kiosks configured without persistence. */
export class MemoryJobStore implements PrintJobStore {
  #jobs = new Map<string, PrintJob>();
  #seq = 0;
  insert(job: NewJob): Promise<number> {
    if (this.#jobs.has(job.id)) return Promise.reject(new Error(`job ${job.id} exists`));
    const seq = ++this.#seq;
    this.#jobs.set(job.id, structuredClone({ ...job, seq }));
    return Promise.resolve(seq);
  }
  update(id: string, patch: JobPatch): Promise<void> {
    const j = this.#jobs.get(id);
    if (!j) return Promise.reject(new Error(`no job ${id}`));
    this.#jobs.set(id, { ...j, ...structuredClone(patch) });
    return Promise.resolve();
  }
  get(id: string): Promise<PrintJob | undefined> {
    const j = this.#jobs.get(id);
    return Promise.resolve(j && structuredClone(j));
  }
  list(states: readonly JobState[]): Promise<PrintJob[]> {
    return Promise.resolve([...this.#jobs.values()].filter((j) => states.includes(j.state)).sort((a, b) => a.seq - b.seq).map((j) => structuredClone(j)));
  }
}

/** The part of PrinterDriver the queue uses. */
export interface PrintSink {
  send(bytes: Uint8Array): Promise<SendOutcome>;
  readonly health: PrinterHealth;
  on(ev: 'health', cb: (h: PrinterHealth) => void): unknown;
  off(ev: 'health', cb: (h: PrinterHealth) => void): unknown;
}

export type RenderJob = (doc: unknown, duplicate: boolean) => Uint8Array;

export interface JobEvent {
  id: string;
  key: string;
  from: JobState | 'new';
  to: JobState;
  duplicate: boolean;
  error?: string;
}

export interface PrintQueueEvents {
  job: [JobEvent];
}

export interface PrintQueueOptions {
  store: PrintJobStore;
  sink: PrintSink;
  render: RenderJob;
  logger: Logger;
  /** Retry period while the printer refuses jobs, ms. Default 5000. */
  retryMs?: number;
  timers?: Timers;
  now?: () => number;
}

export class PrintQueue extends EventEmitter<PrintQueueEvents> {
  readonly #o: Required<PrintQueueOptions>;
  #pumping = false;
  #again = false;
  #retry: unknown;
  #started = false;
  readonly #onHealth = (h: PrinterHealth): void => {
    if (h.state === 'ok' || h.state === 'degraded') this.kick();
  };

  constructor(opts: PrintQueueOptions) {
    super();
    this.#o = { retryMs: 5000, timers: realTimers, now: Date.now, ...opts, logger: opts.logger.child({ ns: 'kiosk:driver:printer:queue' }) };
  }

  /**
   * Marks jobs interrupted by a crash as uncertain, then starts printing what is queued.
   * `beforeResume` runs first when there were such jobs (the facade flushes the printer there).
   */
  async start(beforeResume?: (interrupted: PrintJob[]) => Promise<void>): Promise<PrintJob[]> {
    const interrupted = await this.#o.store.list(['sending']);
    for (const j of interrupted) {
      await this.#move(j, 'uncertain', { error: 'interrupted while printing (restart)' });
    }
    if (interrupted.length > 0 && beforeResume) await beforeResume(interrupted).catch(() => undefined);
    this.#started = true;
    this.#o.sink.on('health', this.#onHealth);
    this.kick();
    return interrupted;
  }

  stop(): void {
    this.#started = false;
    this.#o.sink.off('health', this.#onHealth);
    this.#o.timers.clearTimeout(this.#retry);
  }

  /** Queues a job; it is durable when this resolves. */
  async enqueue(id: string, key: string, doc: unknown, opts: { duplicate?: boolean; reprintOf?: string } = {}): Promise<PrintJob> {
    const t = this.#o.now();
    const job: NewJob = { id, key, doc, duplicate: opts.duplicate ?? false, state: 'queued', attempts: 0, createdAt: t, updatedAt: t };
    if (opts.reprintOf !== undefined) job.reprintOf = opts.reprintOf;
    const seq = await this.#o.store.insert(job);
    this.emit('job', { id, key, from: 'new', to: 'queued', duplicate: job.duplicate });
    this.kick();
    return { ...job, seq };
  }

  /**
   * Operator: print again, marked DUPLICATE. Allowed for uncertain and printed jobs; an
   * uncertain original becomes `reprinted` so it is no longer shown as pending a decision.
   */
  async reprint(id: string, newId: string): Promise<PrintJob> {
    const j = await this.#need(id);
    if (j.state !== 'uncertain' && j.state !== 'printed' && j.state !== 'reprinted') {
      throw new PrinterError(PrinterErrorCode.JobState, `job ${id} is ${j.state}; only printed or uncertain jobs are reprinted`, { id, state: j.state });
    }
    if (j.state === 'uncertain') await this.#move(j, 'reprinted');
    return this.enqueue(newId, j.key, j.doc, { duplicate: true, reprintOf: id });
  }

  /** Operator: the uncertain receipt did come out whole; no reprint needed. */
  async confirmPrinted(id: string): Promise<void> {
    const j = await this.#need(id);
    if (j.state !== 'uncertain') throw new PrinterError(PrinterErrorCode.JobState, `job ${id} is ${j.state}, not uncertain`, { id, state: j.state });
    await this.#move(j, 'printed', { error: 'confirmed by operator' });
  }

  /** Jobs waiting for an operator decision. */
  uncertain(): Promise<PrintJob[]> {
    return this.#o.store.list(['uncertain']);
  }

  pending(): Promise<PrintJob[]> {
    return this.#o.store.list(['queued', 'sending']);
  }

  /** Asks the pump to run (idempotent). */
  kick(): void {
    if (!this.#started) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.#pump()
      .catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message }, 'print queue pump failed'))
      .finally(() => {
        this.#pumping = false;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async #need(id: string): Promise<PrintJob> {
    const j = await this.#o.store.get(id);
    if (!j) throw new PrinterError(PrinterErrorCode.JobNotFound, `no print job ${id}`, { id });
    return j;
  }

  async #move(j: PrintJob, to: JobState, extra: JobPatch = {}): Promise<void> {
    await this.#o.store.update(j.id, { state: to, updatedAt: this.#o.now(), ...extra });
    const ev: JobEvent = { id: j.id, key: j.key, from: j.state, to, duplicate: j.duplicate };
    if (extra.error !== undefined) ev.error = extra.error;
    j.state = to;
    this.emit('job', ev);
  }

  async #pump(): Promise<void> {
    for (;;) {
      if (!this.#started) return;
      const [job] = await this.#o.store.list(['queued']);
      if (!job) return;
      let bytes: Uint8Array;
      try {
        bytes = this.#o.render(job.doc, job.duplicate);
      } catch (err) {
        await this.#move(job, 'failed', { error: `render: ${(err as Error).message}` });
        continue;
      }
      // Durable before the first byte: after a crash from here on, the job is uncertain.
      await this.#move(job, 'sending', { attempts: job.attempts + 1 });
      try {
        const outcome = await this.#o.sink.send(bytes);
        await this.#move(job, 'printed', { outcome });
      } catch (err) {
        if (isPrinterError(err, PrinterErrorCode.NotReady)) {
          // Nothing was sent: back in line, retried when the printer is ready again.
          await this.#move(job, 'queued', { error: err.message });
          this.#o.timers.clearTimeout(this.#retry);
          this.#retry = this.#o.timers.setTimeout(() => this.kick(), this.#o.retryMs);
          return;
        }
        await this.#move(job, 'uncertain', { error: (err as Error).message });
      }
    }
  }
}
