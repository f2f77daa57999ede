/**
 * The end of a capture's time to live (issue 7, DESIGN §6). UIDAI allows the encrypted PID block to
 * be held only temporarily (reference rd-service-ekyc.md §2.6), so past `ekyc.ttlSec` the envelope
 * is deleted whether or not it was sent, and the capture is reported expired with the reason:
 *  - `unsent`: still queued, never reached the broker;
 *  - `unanswered`: the broker had it, but central's result did not come in time. Central may still
 *    have authenticated it, so a result that comes later is applied (EkycService.applyResult).
 */
import { recordEvent } from '../outbox/events.js';
import type { Added, Outbox } from '../outbox/outbox.js';
import type { Queries } from '../store/db.js';
import { dropEnvelope, type CaptureRow, type ExpiryReason } from './store.js';

/**
 * Expires one capture inside the caller's transaction: its envelope (if still held) is deleted,
 * the row turns `expired` with the reason, and `capture.expired` is queued, all in one commit.
 * Returns the outbox deltas to account once committed.
 */
export async function expireCapture(
  tx: Queries,
  outbox: Outbox,
  r: Pick<CaptureRow, 'id' | 'service' | 'age_ms' | 'ttl_sec' | 'outbox_id'>,
  reason: ExpiryReason,
  at: number,
): Promise<Added[]> {
  const out: Added[] = [];
  const dropped = await dropEnvelope(tx, r.outbox_id);
  if (dropped) out.push(dropped);
  await tx.run("UPDATE captures SET state = 'expired', reason = ?, outbox_id = NULL, updated_ts = ? WHERE id = ?", [reason, at, r.id]);
  out.push(
    await recordEvent(tx, outbox, 'capture.expired', 'warning', {
      captureId: r.id,
      service: r.service,
      ageSec: Math.floor(r.age_ms / 1000),
      ttlSec: r.ttl_sec,
      reason,
    }),
  );
  return out;
}
