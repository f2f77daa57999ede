/**
 * Drains the outbox into the broker: oldest first, QoS 1, at most `inflight` unacknowledged
 * at once, each row deleted only after its PUBACK (deletes are batched into one transaction).
 * When the connection drops, whatever was not acknowledged stays in the outbox and is sent
 * again, from the oldest, on the next connection: at-least-once, in order, and consumers drop
 * duplicates by (kiosk, channel, seq).
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../../drivers/common/logger.js';
import type { Outbox } from '../outbox/outbox.js';

export interface PublisherStats {
  published: number;
  acked: number;
  inflight: number;
}

export class Publisher {
  #gen = 0;
  #client: MqttClient | undefined;
  #lastId = 0;
  #inflight = new Set<number>();
  #acked: number[] = [];
  #flushing: Promise<void> | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #wakeup: (() => void) | undefined;
  #dirty = false;
  #published = 0;
  #ackedTotal = 0;
  #drainedWaiters: (() => void)[] = [];
  #unsubscribe: () => void;

  constructor(
    private readonly outbox: Outbox,
    private readonly window: number,
    private readonly logger: Logger,
  ) {
    this.#unsubscribe = outbox.onEnqueue(() => this.#wake());
  }

  stats(): PublisherStats {
    return { published: this.#published, acked: this.#ackedTotal, inflight: this.#inflight.size };
  }

  /** A connection is up: replay from the oldest row. */
  attach(client: MqttClient): void {
    const gen = ++this.#gen;
    this.#client = client;
    this.#lastId = 0;
    this.#inflight.clear();
    this.#loop(gen).catch((err: unknown) => {
      // A store error (disk full, I/O) must not kill the agent: log, and try again on the
      // next wake-up with a fresh loop.
      this.logger.error({ err: (err as Error).message }, 'outbox drain failed');
      if (gen === this.#gen) setTimeout(() => this.#client === client && gen === this.#gen && this.attach(client), 1000).unref();
    });
  }

  /** The connection is gone: stop sending; unacknowledged rows stay for the next one. */
  detach(): void {
    this.#gen++;
    this.#client = undefined;
    this.#inflight.clear();
    this.#wake();
  }

  #wake(): void {
    this.#dirty = true;
    const w = this.#wakeup;
    this.#wakeup = undefined;
    w?.();
  }

  #sleep(): Promise<void> {
    if (this.#dirty) {
      this.#dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#wakeup = resolve;
    });
  }

  async #loop(gen: number): Promise<void> {
    await this.flushAcks();
    while (gen === this.#gen) {
      const client = this.#client;
      if (!client) return;
      const room = this.window - this.#inflight.size;
      if (room <= 0) {
        await this.#sleep();
        continue;
      }
      this.#dirty = false;
      const rows = await this.outbox.peek(this.#lastId, room);
      if (gen !== this.#gen) return;
      if (rows.length === 0) {
        if (this.#inflight.size === 0) this.#notifyDrained();
        await this.#sleep();
        continue;
      }
      for (const row of rows) {
        this.#lastId = row.id;
        this.#inflight.add(row.id);
        this.#published++;
        client.publish(row.topic, row.payload, { qos: 1, retain: row.retain === 1 }, (err) => this.#onAck(gen, row.id, err));
      }
    }
  }

  #onAck(gen: number, id: number, err: Error | undefined): void {
    if (gen === this.#gen) this.#inflight.delete(id);
    if (err) {
      if (gen === this.#gen) this.logger.warn({ id, err: err.message }, 'publish not acknowledged; kept for the next connection');
      return;
    }
    this.#ackedTotal++;
    this.#acked.push(id);
    if (this.#acked.length >= 256) void this.flushAcks();
    else this.#flushTimer ??= setTimeout(() => void this.flushAcks(), 20);
    this.#wake();
  }

  /** Deletes acknowledged rows now. */
  async flushAcks(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    while (this.#flushing) await this.#flushing;
    if (!this.#acked.length) return;
    const ids = this.#acked;
    this.#acked = [];
    this.#flushing = this.outbox.ack(ids).catch((err: unknown) => {
      // Not deleted means sent again later: a duplicate, never a loss.
      this.logger.error({ err: (err as Error).message, n: ids.length }, 'could not delete acknowledged rows');
    });
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
    if (this.#acked.length === 0 && this.#inflight.size === 0) this.#wake();
  }

  #notifyDrained(): void {
    const ws = this.#drainedWaiters;
    this.#drainedWaiters = [];
    for (const w of ws) w();
  }

  /** Resolves when the outbox is empty and nothing is in flight (used on clean shutdown). */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.flushAcks();
      // Held capture envelopes (acknowledged, waiting for central's answer) do not count.
      if (this.#inflight.size === 0 && (await this.outbox.unsent()) === 0) return true;
      if (!this.#client) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(200, Math.max(1, deadline - Date.now())));
        this.#drainedWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return false;
  }

  close(): void {
    this.#unsubscribe();
    this.detach();
  }
}
