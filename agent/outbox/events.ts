/**
 * Events: each is a fact (a row of the `events` table, kept locally for the operator and for
 * reports) and an outbox row, written in one transaction. The event's sequence number is its
 * id on the wire and in the table.
 */
import type { Logger } from '../../drivers/common/logger.js';
import type { EventDataOf, KnownEventType, Severity } from '../../protocols/telemetry/events.js';
import type { Queries, Store } from '../store/db.js';
import type { Added, Outbox } from './outbox.js';

export interface EmittedEvent {
  seq: number;
  type: string;
  severity: Severity;
}

export class EventLog {
  constructor(
    private readonly store: Store,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {}

  async emit<T extends KnownEventType>(type: T, severity: Severity, data: EventDataOf<T>): Promise<EmittedEvent> {
    const added = await this.store.transaction((tx) => recordEvent(tx, this.outbox, type, severity, data));
    this.outbox.committed(added);
    const fields = { event: type, seq: added.message.seq };
    if (severity === 'info') this.logger.info(fields, 'event');
    else this.logger.warn(fields, 'event');
    return { seq: added.message.seq, type, severity };
  }

  /**
   * Keeps the local event history bounded on the SD card: only the newest `keep` events stay,
   * and an event still waiting in the outbox is never pruned. By count, not by age, because the
   * wall clock of a kiosk without an RTC cannot be trusted to say what is old.
   */
  async prune(keep: number): Promise<number> {
    const r = await this.store.run(
      `DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?
         AND seq NOT IN (SELECT json_extract(payload, '$.seq') FROM outbox WHERE channel = 'events')`,
      [keep],
    );
    if (r.changes) this.logger.info({ pruned: r.changes, keep }, 'old events pruned');
    return r.changes;
  }
}

/**
 * One event inside the caller's transaction, for a fact that must be written together with the
 * event about it (a warning and the flag that says it was sent). The caller passes the result
 * to `outbox.committed()` after the commit.
 */
export async function recordEvent<T extends KnownEventType>(
  tx: Queries,
  outbox: Outbox,
  type: T,
  severity: Severity,
  data: EventDataOf<T>,
): Promise<Added> {
  const a = await outbox.add(tx, 'events', { type, severity, data });
  const m = a.message;
  await tx.run(
    'INSERT INTO events (seq, type, severity, ts, mono, boot, synced, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [m.seq, type, severity, m.ts, m.mono, m.boot, m.synced ? 1 : 0, JSON.stringify(data)],
  );
  return a;
}
