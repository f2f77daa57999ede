/**
 * The outbox (DESIGN §4): the source of truth for everything that must reach central. A fact
 * and its outbox row are written in one transaction; the publisher deletes a row only after
 * the broker's PUBACK; after a reconnect or a restart it replays what is left, oldest first.
 *
 * Bounded by rows and bytes, with the overflow policy of DESIGN §4:
 *  - periodic messages (heartbeat, state) keep only their latest unsent copy, always: a stale
 *    heartbeat or snapshot is worth nothing once a newer one exists, and replaying hours of
 *    them over a metered SIM after an outage is waste;
 *  - durable messages (events, transactions) are never dropped, even past the bound: the bound
 *    is reported (once per crossing, as an `outbox.over_limit` event) instead;
 *  - captures are refused with OutboxFullError when the bound is reached.
 *
 * Capture envelopes are the one class not deleted on PUBACK: the row is marked (`outbox_held`,
 * migration 5) and held until central's result arrives or the capture is given up, and sent again
 * when no result comes (agent/ekyc). The broker's PUBACK says only that the broker has the message;
 * a broker with no subscriber on the topic yet acknowledges it and drops it (MQTT 3.1.1 §4.3.2 asks
 * nothing more of it), and a capture must not be lost to that.
 */
import type { Logger } from '../../drivers/common/logger.js';
import { CHANNEL_FLAGS, CONTRACT_VERSION, topicFor, type UpChannel } from '../../protocols/telemetry/index.js';
import type { Meta } from '../../protocols/telemetry/meta.js';
import type { Queries, Store } from '../store/db.js';
import { nextCounter } from '../store/kv.js';

export type OutboxClass = 'periodic' | 'durable' | 'capture';

/** What stamps each message with ts/mono/boot/synced (the agent's Clock). */
export interface TimeSource {
  now(): { ts: number; mono: number; boot: string; synced: boolean };
}

export interface OutboxLimits {
  maxRows: number;
  maxBytes: number;
}

export interface OutboxRow {
  id: number;
  channel: string;
  topic: string;
  retain: number;
  payload: string;
}

export interface Depth {
  rows: number;
  bytes: number;
}

export class OutboxFullError extends Error {
  override name = 'OutboxFullError';
  readonly code = 'OUTBOX_FULL';
  constructor(readonly depth: Depth) {
    super(`the queue for central is full (${depth.rows} messages, ${depth.bytes} bytes); try again once the link is back`);
  }
}

const CLASS_OF: Record<UpChannel, OutboxClass> = {
  status: 'periodic',
  heartbeat: 'periodic',
  state: 'periodic',
  events: 'durable',
  transactions: 'durable',
  'job-status': 'durable',
  captures: 'capture',
};

export class Outbox {
  #rows = 0;
  #bytes = 0;
  #overLimit = false;
  #listeners = new Set<() => void>();

  private constructor(
    private readonly store: Store,
    private readonly kioskId: string,
    private readonly time: TimeSource,
    private readonly limits: OutboxLimits,
    private readonly logger: Logger,
  ) {}

  static async open(store: Store, kioskId: string, time: TimeSource, limits: OutboxLimits, logger: Logger): Promise<Outbox> {
    const box = new Outbox(store, kioskId, time, limits, logger);
    const row = await store.get<{ n: number; b: number | null }>('SELECT count(*) AS n, sum(bytes) AS b FROM outbox');
    box.#rows = row?.n ?? 0;
    box.#bytes = row?.b ?? 0;
    box.#overLimit = box.#full();
    return box;
  }

  #full(): boolean {
    return this.#rows >= this.limits.maxRows || this.#bytes >= this.limits.maxBytes;
  }

  depth(): Depth {
    return { rows: this.#rows, bytes: this.#bytes };
  }

  /** Called after each commit that added rows: the publisher wakes up. */
  onEnqueue(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The meta fields for a new message of `channel`, taking its next sequence number. */
  async meta(tx: Queries, channel: UpChannel): Promise<Meta> {
    const seq = await nextCounter(tx, `seq:${channel}`);
    return { v: CONTRACT_VERSION, ...this.time.now(), seq };
  }

  /**
   * Adds one message inside the caller's transaction. `body` is everything but the meta
   * fields, which are stamped here. The caller calls `committed()` with the result after its
   * transaction commits (or uses `publishFact`, which does both).
   */
  async add(tx: Queries, channel: UpChannel, body: object): Promise<Added> {
    const cls = CLASS_OF[channel];
    let removed: Depth = { rows: 0, bytes: 0 };
    if (cls === 'periodic') {
      const r = await tx.get<{ n: number; b: number | null }>(
        'SELECT count(*) AS n, sum(bytes) AS b FROM outbox WHERE channel = ?',
        [channel],
      );
      if (r && r.n > 0) {
        await tx.run('DELETE FROM outbox WHERE channel = ?', [channel]);
        removed = { rows: r.n, bytes: r.b ?? 0 };
      }
    } else if (cls === 'capture' && this.#full()) {
      throw new OutboxFullError(this.depth());
    }
    const meta = await this.meta(tx, channel);
    const message = { ...meta, ...body };
    const payload = JSON.stringify(message);
    const bytes = Buffer.byteLength(payload);
    const { lastID } = await tx.run(
      'INSERT INTO outbox (channel, topic, class, retain, payload, bytes, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [channel, topicFor(this.kioskId, channel), cls, CHANNEL_FLAGS[channel].retain ? 1 : 0, payload, bytes, meta.ts],
    );
    return { id: lastID, message, delta: { rows: 1 - removed.rows, bytes: bytes - removed.bytes } };
  }

  /** Accounts for rows added by a committed transaction and wakes the publisher. */
  committed(...added: Added[]): void {
    for (const a of added) {
      this.#rows += a.delta.rows;
      this.#bytes += a.delta.bytes;
    }
    const full = this.#full();
    if (full && !this.#overLimit) {
      this.logger.warn({ ...this.depth(), limits: this.limits }, 'outbox over its bound: periodic messages coalesced, captures refused');
    }
    this.#overLimit = full;
    for (const l of this.#listeners) l();
  }

  /** Whether the outbox has crossed its bound (captures are refused while it has). */
  get overLimit(): boolean {
    return this.#overLimit;
  }

  /** One message on its own: its own transaction, then accounted. */
  async publish(channel: UpChannel, body: object): Promise<Added> {
    const added = await this.store.transaction((tx) => this.add(tx, channel, body));
    this.committed(added);
    return added;
  }

  /** The oldest rows with id > afterId not yet acknowledged by the broker, in order. */
  peek(afterId: number, limit: number): Promise<OutboxRow[]> {
    return this.store.all<OutboxRow>(
      'SELECT id, channel, topic, retain, payload FROM outbox WHERE id > ? AND id NOT IN (SELECT id FROM outbox_held) ORDER BY id LIMIT ?',
      [afterId, limit],
    );
  }

  /** Rows the broker has not acknowledged yet (held capture envelopes are not counted). */
  async unsent(): Promise<number> {
    return (await this.store.get<{ n: number }>('SELECT (SELECT count(*) FROM outbox) - (SELECT count(*) FROM outbox_held) AS n'))?.n ?? 0;
  }

  /**
   * Sends a held row again: it moves to the tail of the outbox (a new id, so the publisher's cursor
   * reaches it) with its payload unchanged (the same seq: consumers see a redelivery). Inside the
   * caller's transaction; returns the new id, or undefined when the row is gone.
   */
  async requeue(tx: Queries, id: number): Promise<number | undefined> {
    const r = await tx.run(
      'INSERT INTO outbox (channel, topic, class, retain, payload, bytes, created_ts) SELECT channel, topic, class, retain, payload, bytes, created_ts FROM outbox WHERE id = ?',
      [id],
    );
    if (r.changes === 0) return undefined;
    await tx.run('DELETE FROM outbox WHERE id = ?', [id]); // its mark goes with it (trigger)
    return r.lastID;
  }

  /**
   * Rows the broker acknowledged: deleted, except capture envelopes, which are marked and held
   * for central's answer (see the top of this file).
   */
  async ack(ids: number[]): Promise<void> {
    if (!ids.length) return;
    const now = this.time.now().ts;
    const removed = await this.store.transaction(async (tx) => {
      let rows = 0;
      let bytes = 0;
      // Chunks stay under SQLite's bound-parameter limit.
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const marks = chunk.map(() => '?').join(',');
        const r = await tx.get<{ n: number; b: number | null }>(
          `SELECT count(*) AS n, sum(bytes) AS b FROM outbox WHERE id IN (${marks}) AND class != 'capture'`,
          chunk,
        );
        await tx.run(`DELETE FROM outbox WHERE id IN (${marks}) AND class != 'capture'`, chunk);
        await tx.run(`INSERT OR IGNORE INTO outbox_held (id, acked_ts) SELECT id, ? FROM outbox WHERE id IN (${marks}) AND class = 'capture'`, [now, ...chunk]);
        rows += r?.n ?? 0;
        bytes += r?.b ?? 0;
      }
      return { rows, bytes };
    });
    this.#rows -= removed.rows;
    this.#bytes -= removed.bytes;
    if (this.#overLimit && !this.#full()) {
      this.#overLimit = false;
      this.logger.info(this.depth(), 'outbox back under its bound');
    }
  }

  async oldestTs(): Promise<number | undefined> {
    const r = await this.store.get<{ ts: number | null }>('SELECT min(created_ts) AS ts FROM outbox');
    return r?.ts ?? undefined;
  }
}

export interface Added {
  id: number;
  message: Record<string, unknown> & Meta;
  delta: Depth;
}
