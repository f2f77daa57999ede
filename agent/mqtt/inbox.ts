/**
 * The inbox of downward messages (capture results, jobs; DESIGN §5), table of migration 5.
 *
 * MQTT.js reads nothing more from a connection while its message handler runs, and sends the
 * PUBACK when it returns. Applying a message there (a capture result is a ledger transaction and
 * an fsync) held up everything behind it on the kiosk's one connection, the PUBACKs of its own
 * uploads included. So the link only records each message here and acknowledges it once it is
 * durable; messages that arrive while a commit is on its way to disk are written together by the
 * next one (one fsync for a batch). A worker then applies the rows in the order they arrived.
 *
 * Exactly once across a kill -9 anywhere between receive, PUBACK and apply:
 *  - killed before the commit: no PUBACK went out, the broker sends it again (persistent session);
 *  - killed after the commit but before the PUBACK: it is applied from the inbox, and the broker's
 *    redelivery is a second row, which the handler recognises (idempotent by capture id, job id);
 *  - a handler registered with a transaction (`TxDownHandler`) is applied and its row deleted in
 *    one commit, so it is never applied twice; a plain handler's row is deleted after it returns,
 *    and a kill in between applies it again (plain handlers must be idempotent).
 */
import type { Logger } from '../../drivers/common/logger.js';
import type { DownChannel } from '../../protocols/telemetry/index.js';
import type { Queries, Store } from '../store/db.js';

/** Applies one message; the link's contract for plain handlers: idempotent by job id, capture id. */
export type DownHandler = (payload: Buffer, topic: string) => Promise<void>;

/**
 * Applies one message inside the inbox's transaction (which also deletes the row); what it
 * returns runs after that transaction is committed.
 */
export type TxDownHandler = (tx: Queries, payload: Buffer, topic: string) => Promise<(() => Promise<void>) | void>;

export type Handler = { kind: 'plain'; fn: DownHandler } | { kind: 'tx'; fn: TxDownHandler };

interface InboxRow {
  id: number;
  channel: string;
  topic: string;
  payload: Buffer;
}

interface Pending {
  channel: DownChannel;
  topic: string;
  payload: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Rows applied in one transaction at most. Small: the agent's store is one connection, and while
 * a batch is applied the publisher cannot read the outbox; on the capture drain bench 128 a batch
 * held the uploads to ~270 captures/s, 8–16 let them run at 600–1100/s with the results applied
 * about as fast (bench/captures/drain.ts).
 */
const BATCH = 16;

export class Inbox {
  #pending: Pending[] = [];
  #writing: Promise<void> | undefined;
  #worker: Promise<void> | undefined;
  #wakeup: (() => void) | undefined;
  #dirty = false;
  #closed = false;
  #applied = 0;

  constructor(
    private readonly store: Store,
    private readonly handlers: ReadonlyMap<DownChannel, Handler>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Messages applied since start. */
  get applied(): number {
    return this.#applied;
  }

  /** Resolves once the message is on disk (its PUBACK may go); rejects when it could not be written. */
  add(channel: DownChannel, topic: string, payload: Buffer): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('inbox closed'));
    return new Promise((resolve, reject) => {
      this.#pending.push({ channel, topic, payload, resolve, reject });
      this.#writing ??= this.#write();
    });
  }

  async #write(): Promise<void> {
    try {
      while (this.#pending.length) {
        const batch = this.#pending.splice(0);
        const at = this.now();
        try {
          await this.store.transaction(async (tx) => {
            for (const m of batch) {
              await tx.run('INSERT INTO inbox (channel, topic, payload, received_ts) VALUES (?, ?, ?, ?)', [m.channel, m.topic, m.payload, at]);
            }
          });
        } catch (err) {
          // Not written, not acknowledged: the broker sends them again.
          this.logger.error({ err: (err as Error).message, n: batch.length }, 'downward messages not recorded; left to the broker');
          for (const m of batch) m.reject(err as Error);
          continue;
        }
        for (const m of batch) m.resolve();
        this.#wake();
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Starts applying (rows left by a previous run first). Call once every handler is registered. */
  start(): void {
    if (this.#worker || this.#closed) return;
    this.#worker = this.#work();
  }

  #wake(): void {
    this.#dirty = true;
    const w = this.#wakeup;
    this.#wakeup = undefined;
    w?.();
  }

  #sleep(ms?: number): Promise<void> {
    if (this.#dirty) {
      this.#dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = ms === undefined ? undefined : setTimeout(() => this.#wake(), ms);
      this.#wakeup = () => {
        if (t) clearTimeout(t);
        this.#dirty = false;
        resolve();
      };
    });
  }

  async #work(): Promise<void> {
    while (!this.#closed) {
      try {
        const rows = await this.store.all<InboxRow>('SELECT id, channel, topic, payload FROM inbox ORDER BY id LIMIT ?', [BATCH]);
        if (rows.length === 0) {
          await this.#sleep();
          continue;
        }
        await this.#applyRows(rows);
      } catch (err) {
        if (this.#closed) return;
        // A store error (disk full, I/O): the rows stay; try again shortly.
        this.logger.error({ err: (err as Error).message }, 'inbox not applied; retrying');
        await this.#sleep(1000);
      }
    }
  }

  /** In order: runs of transactional handlers share one commit; a plain handler runs alone. */
  async #applyRows(rows: InboxRow[]): Promise<void> {
    let i = 0;
    while (i < rows.length && !this.#closed) {
      const h = this.handlers.get(rows[i]!.channel as DownChannel);
      if (h?.kind === 'plain') {
        const r = rows[i++]!;
        await this.#guard(r, () => h.fn(Buffer.from(r.payload), r.topic));
        await this.store.run('DELETE FROM inbox WHERE id = ?', [r.id]);
        this.#applied++;
        continue;
      }
      const run: InboxRow[] = [];
      while (i < rows.length && this.handlers.get(rows[i]!.channel as DownChannel)?.kind !== 'plain') run.push(rows[i++]!);
      const afters = await this.store.transaction(async (tx) => {
        const out: (() => Promise<void>)[] = [];
        for (const r of run) {
          const handler = this.handlers.get(r.channel as DownChannel);
          if (!handler) {
            this.logger.warn({ channel: r.channel }, 'message on a channel nothing handles; dropped');
            continue;
          }
          if (handler.kind !== 'tx') continue;
          // A savepoint per message: one that throws is dropped without undoing the others.
          await tx.exec('SAVEPOINT inbox_message');
          const after = await this.#guard(r, () => handler.fn(tx, Buffer.from(r.payload), r.topic));
          if (after === undefined) await tx.exec('ROLLBACK TO inbox_message');
          await tx.exec('RELEASE inbox_message');
          if (typeof after === 'function') out.push(after);
        }
        const marks = run.map(() => '?').join(',');
        await tx.run(`DELETE FROM inbox WHERE id IN (${marks})`, run.map((r) => r.id));
        return out;
      });
      this.#applied += run.length;
      for (const after of afters) await after().catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'after-apply step failed'));
    }
  }

  /**
   * Runs a handler; one that throws on bad input must not stop the inbox (the message is dropped
   * with a log line). Returns undefined when it threw, otherwise what it returned (or null).
   */
  async #guard<T>(r: InboxRow, fn: () => Promise<T>): Promise<T | null | undefined> {
    try {
      return (await fn()) ?? null;
    } catch (err) {
      this.logger.error({ channel: r.channel, err: (err as Error).message.slice(0, 160) }, 'handler failed; message dropped');
      return undefined;
    }
  }

  /** Stops taking messages (they are left to the broker) and waits for what is being written or applied. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake();
    await this.#writing;
    await this.#worker;
  }
}
