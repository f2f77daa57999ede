/**
 * The periodic pass over the capture queue (issue 7, DESIGN §6): marks delivered captures sent,
 * expires those past their time to live (reference rd-service-ekyc.md §2.6: the sealed PID block
 * is held only temporarily), and requeues envelopes central has not answered within resendSec.
 * Split from the service because it is database work on the whole queue, run by a timer, while
 * the service is one capture at a time; the service keeps the counters and calls this.
 */
import type { Logger } from '../../drivers/common/logger.js';
import type { Added } from '../outbox/outbox.js';
import { expireCapture } from './expiry.js';
import type { EkycServiceOptions } from './service.js';
import { advanceAges, dueToExpire, dueToResend, markSent, pruneDecided, sentPastTtl, type ExpiryReason } from './store.js';

/** Decided captures kept for the operator's look-ups (ids, states, reasons; no secret). */
const KEEP_DECIDED = 20_000;

export interface SweepPass {
  sent: number;
  expiredBy: Record<ExpiryReason, number>;
  resent: number;
}

/** One sweep's database work; the outbox is told of what it added once the transaction commits. */
export async function sweepCaptures(o: Pick<EkycServiceOptions, 'store' | 'outbox' | 'clock' | 'config'>): Promise<SweepPass> {
  const now = o.clock.now();
  const sent = await markSent(o.store, now.ts);
  await pruneDecided(o.store, KEEP_DECIDED);
  let resent = 0;
  const expiredBy: Record<ExpiryReason, number> = { unsent: 0, unanswered: 0 };
  const added = await o.store.transaction(async (tx) => {
    await advanceAges(tx, now);
    const out: Added[] = [];
    for (const r of await dueToExpire(tx)) {
      out.push(...(await expireCapture(tx, o.outbox, r, 'unsent', now.ts)));
      expiredBy.unsent++;
    }
    // Sent but unanswered past the time to live: the envelope goes, and is not sent again.
    for (const r of await sentPastTtl(tx)) {
      out.push(...(await expireCapture(tx, o.outbox, r, 'unanswered', now.ts)));
      expiredBy.unanswered++;
    }
    for (const r of await dueToResend(tx, now.ts, o.config.resendSec * 1000)) {
      const id = await o.outbox.requeue(tx, r.outbox_id!);
      if (id === undefined) continue;
      await tx.run('UPDATE captures SET outbox_id = ?, resends = resends + 1 WHERE id = ?', [id, r.id]);
      resent++;
    }
    return out;
  });
  // A requeued row changes no count; the empty entry wakes the publisher for it.
  if (added.length || resent) o.outbox.committed(...added, ...(resent ? [{ id: 0, message: {} as Added['message'], delta: { rows: 0, bytes: 0 } }] : []));
  return { sent, expiredBy, resent };
}

/** The operator-facing lines for one sweep: counts only. */
export function logSweep(logger: Logger, pass: SweepPass, resendSec: number): void {
  if (pass.expiredBy.unsent) logger.warn({ expired: pass.expiredBy.unsent }, 'captures expired unsent and deleted');
  if (pass.expiredBy.unanswered) {
    logger.warn({ expired: pass.expiredBy.unanswered }, 'sent captures unanswered by central past their time to live: expired, envelopes deleted, not sent again');
  }
  if (pass.resent) logger.info({ captures: pass.resent, waitedSec: resendSec }, 'captures unanswered by central; sent again');
}
