/**
 * The capture rows (migration 3) and the statements on them. Every change that also touches the
 * outbox or the events runs inside the caller's transaction.
 */
import type { Added } from '../outbox/outbox.js';
import type { Queries } from '../store/db.js';

export type CaptureState = 'queued' | 'sent' | 'accepted' | 'rejected' | 'duplicate' | 'expired';
export const TERMINAL: ReadonlySet<CaptureState> = new Set(['accepted', 'rejected', 'duplicate', 'expired']);

export interface CaptureRow {
  id: string;
  request_id: string | null;
  service: string;
  modality: 'fingerprint' | 'otp';
  state: CaptureState;
  created_ts: number;
  created_synced: number;
  ttl_sec: number;
  age_ms: number;
  age_boot: string;
  age_mono: number;
  outbox_id: number | null;
  code: string | null;
  reason: string | null;
  auth_ref: string | null;
  operator: string | null;
  updated_ts: number;
  txn_recorded: number;
  printed: number;
  resends: number;
  /** 1 when central's answer came after the capture expired `unanswered` (migration 6). */
  answered_late: number;
}

/** Why a capture expired: never sent in time, or sent and never answered in time. */
export type ExpiryReason = 'unsent' | 'unanswered';

export function getCapture(q: Queries, id: string): Promise<CaptureRow | undefined> {
  return q.get<CaptureRow>('SELECT * FROM captures WHERE id = ?', [id]);
}

export function getByRequest(q: Queries, requestId: string): Promise<CaptureRow | undefined> {
  return q.get<CaptureRow>('SELECT * FROM captures WHERE request_id = ?', [requestId]);
}

export async function countQueued(q: Queries): Promise<number> {
  return (await q.get<{ n: number }>("SELECT count(*) AS n FROM captures WHERE state = 'queued'"))?.n ?? 0;
}

/**
 * Captures by state, and how many of each reached it at or after `sinceTs` (wall clock, e.g. the
 * start of the day): counts only, for GET /v1/status. Decided captures are pruned by count
 * (pruneDecided), so the totals of decided states are of the history kept, not of all time.
 */
export function countByState(q: Queries, sinceTs: number): Promise<{ state: CaptureState; n: number; since: number }[]> {
  return q.all('SELECT state, count(*) AS n, coalesce(sum(updated_ts >= ?), 0) AS since FROM captures GROUP BY state', [sinceTs]);
}

/**
 * Deletes a capture's envelope from the outbox (expired, or answered before its PUBACK was
 * recorded) and returns the negative delta for the outbox's accounting. secure_delete is on, so
 * the freed pages are overwritten (DESIGN §2: the PID block is deleted once sent or stale).
 */
export async function dropEnvelope(tx: Queries, outboxId: number | null): Promise<Added | undefined> {
  if (outboxId === null) return undefined;
  const r = await tx.get<{ bytes: number }>('SELECT bytes FROM outbox WHERE id = ?', [outboxId]);
  if (!r) return undefined;
  await tx.run('DELETE FROM outbox WHERE id = ?', [outboxId]);
  return { id: outboxId, message: {} as Added['message'], delta: { rows: -1, bytes: -r.bytes } };
}

/**
 * Captures whose envelope the broker acknowledged: the publisher marked its outbox row (which is
 * held for central's answer), or the row is gone.
 */
export async function markSent(q: Queries, now: number): Promise<number> {
  const r = await q.run(
    `UPDATE captures SET state = 'sent', updated_ts = ? WHERE state = 'queued'
       AND (outbox_id IN (SELECT id FROM outbox_held) OR NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.id = captures.outbox_id))`,
    [now],
  );
  return r.changes;
}

/**
 * Sent captures central has not answered in time since the broker's PUBACK (wall clock; a clock
 * that stepped backwards counts as waited too): their envelope is sent again. The wait doubles
 * with each resend, up to 32 × `waitMs`, so a receiver that is away for hours does not find a copy
 * of every capture per `waitMs` queued for it at the broker. The receiver answers a capture it
 * already decided `duplicate` with the first outcome, so a resend never authenticates twice.
 */
export function dueToResend(tx: Queries, now: number, waitMs: number): Promise<Pick<CaptureRow, 'id' | 'outbox_id'>[]> {
  return tx.all(
    `SELECT c.id, c.outbox_id FROM captures c JOIN outbox_held h ON h.id = c.outbox_id
      WHERE c.state IN ('queued', 'sent') AND abs(? - h.acked_ts) >= ? * (1 << min(c.resends, 5))
      ORDER BY h.id`,
    [now, waitMs],
  );
}

/**
 * Sent captures past their time to live that central has not answered: the envelope still held is
 * deleted and not sent again (the PID block is held only temporarily, reference rd-service-ekyc.md
 * §2.6), and the capture expires `unanswered`. Rows an earlier agent gave up without expiring them
 * (sent, envelope already gone, their age frozen past the time to live) are caught here too. An
 * answer central gives later is still applied (EkycService.applyResult).
 */
export function sentPastTtl(tx: Queries): Promise<Pick<CaptureRow, 'id' | 'service' | 'age_ms' | 'ttl_sec' | 'outbox_id'>[]> {
  return tx.all("SELECT id, service, age_ms, ttl_sec, outbox_id FROM captures WHERE state = 'sent' AND age_ms >= ttl_sec * 1000");
}

/**
 * Advances the age of every capture whose envelope is still held (queued, or sent and waiting
 * for central's answer) on the monotonic clock: within a boot by the
 * monotonic difference, across a reboot by the uptime of the new boot (the time the kiosk was off
 * cannot be known without a trusted clock). When the wall clock is trusted now and was when the
 * capture was taken, the wall-clock age is used if it is larger.
 */
export async function advanceAges(tx: Queries, now: { ts: number; mono: number; boot: string; synced: boolean }): Promise<void> {
  await tx.run(
    `UPDATE captures SET
       age_ms = age_ms + CASE WHEN age_boot = ? THEN max(0, ? - age_mono) ELSE ? END,
       age_boot = ?, age_mono = ?
     WHERE state = 'queued' OR (state = 'sent' AND outbox_id IS NOT NULL)`,
    [now.boot, now.mono, now.mono, now.boot, now.mono],
  );
  if (now.synced) {
    await tx.run(
      "UPDATE captures SET age_ms = max(age_ms, ? - created_ts) WHERE (state = 'queued' OR (state = 'sent' AND outbox_id IS NOT NULL)) AND created_synced = 1",
      [now.ts],
    );
  }
}

export function dueToExpire(tx: Queries): Promise<Pick<CaptureRow, 'id' | 'service' | 'age_ms' | 'ttl_sec' | 'outbox_id'>[]> {
  return tx.all("SELECT id, service, age_ms, ttl_sec, outbox_id FROM captures WHERE state = 'queued' AND age_ms >= ttl_sec * 1000");
}

/**
 * Keeps the history of decided captures bounded on the SD card: the newest `keep` stay (by
 * count, not age: the wall clock may be wrong). Queued and sent captures are never pruned.
 */
export async function pruneDecided(q: Queries, keep: number): Promise<number> {
  const r = await q.run(
    `DELETE FROM captures WHERE state IN ('accepted', 'rejected', 'duplicate', 'expired')
       AND rowid NOT IN (SELECT rowid FROM captures WHERE state IN ('accepted', 'rejected', 'duplicate', 'expired') ORDER BY rowid DESC LIMIT ?)`,
    [keep],
  );
  return r.changes;
}
