/**
 * Applying central's answer to a capture (issue 7, DESIGN §6): a message on capture-results
 * decides the capture, drops its envelope, records the e-KYC transaction when accepted, raises
 * `capture.rejected` when rejected, and prints the acknowledgement once committed. Split from the
 * service because it runs in the link inbox's transaction, not the capture queue's turn; the
 * service keeps the counters and is told through `counted`. Logs carry the capture id and the
 * outcome only, never the citizen reference (reference rd-service-ekyc.md §2.6).
 */
import { CaptureResult } from '../../protocols/telemetry/captures.js';
import type { Added } from '../outbox/outbox.js';
import { recordEvent } from '../outbox/events.js';
import type { Queries } from '../store/db.js';
import type { EkycServiceOptions } from './service.js';
import { dropEnvelope, getCapture, TERMINAL, type CaptureRow, type CaptureState } from './store.js';

export type ResultStatus = 'applied' | 'ignored' | 'unknown' | 'invalid';

type ResultDeps = Pick<EkycServiceOptions, 'store' | 'outbox' | 'clock' | 'kioskId' | 'recordTransaction' | 'rateOf' | 'printer' | 'logger' | 'onChange'>;

/** Called once a result's transaction committed, before onChange: `from` is the state it left. */
export type Counted = (outcome: CaptureState, from: CaptureState) => void;

/**
 * Applies a result inside the caller's transaction. Idempotent: a result for a capture already
 * decided is ignored, except one `expired` `unanswered`, whose answer applies once (marked late).
 * `after` runs once that transaction is committed (accounting, receipt).
 */
export async function applyCaptureResult(o: ResultDeps, tx: Queries, payload: Buffer, counted: Counted): Promise<{ status: ResultStatus; after: () => Promise<void> }> {
  const nothing = () => Promise.resolve();
  let parsed: CaptureResult;
  try {
    const r = CaptureResult.safeParse(JSON.parse(payload.toString('utf8')));
    if (!r.success) throw new Error(r.error.issues[0]?.path.join('.') ?? 'invalid');
    parsed = r.data;
  } catch (err) {
    o.logger.warn({ err: (err as Error).message.slice(0, 80), bytes: payload.length }, 'capture result not understood; dropped');
    return { status: 'invalid', after: nothing };
  }
  const now = o.clock.now();
  const outcome: CaptureState = parsed.result === 'duplicate' ? (parsed.original ?? 'duplicate') : parsed.result;
  let recorded: { txnId?: string; receiptNo?: string } = {};
  const row = await getCapture(tx, parsed.captureId);
  const late = row?.state === 'expired' && row.reason === 'unanswered';
  if (!row || (TERMINAL.has(row.state) && !late)) {
    const status = row ? ('ignored' as const) : ('unknown' as const);
    o.logger.debug({ captureId: parsed.captureId, result: parsed.result, status }, 'capture result not applied');
    return { status, after: nothing };
  }
  const added: Added[] = [];
  const dropped = await dropEnvelope(tx, row.outbox_id);
  if (dropped) added.push(dropped);
  let txn = 0;
  if (outcome === 'accepted' && o.recordTransaction) {
    const rate = rateOf(o, row.service);
    // A savepoint: should the ledger refuse the entry, the result is still applied (and the
    // capture shows transactionRecorded: false) rather than lost with its PUBACK.
    await tx.exec('SAVEPOINT ekyc_ledger');
    try {
      const rec = await o.recordTransaction(tx, {
        idempotencyKey: row.id,
        captureId: row.id,
        service: row.service,
        chargedPaise: 0,
        officialPaise: rate.officialPaise,
        commissionPaise: rate.commissionPaise,
        ...(row.operator ? { operator: row.operator } : {}),
        at: now.ts,
        ...(parsed.authRef ? { authRef: parsed.authRef } : {}),
      });
      await tx.exec('RELEASE ekyc_ledger');
      if (rec) {
        recorded = { ...(rec.txnId ? { txnId: rec.txnId } : {}), ...(rec.receiptNo ? { receiptNo: rec.receiptNo } : {}) };
        added.push(...(rec.added ?? []));
      }
      txn = 1;
    } catch (err) {
      await tx.exec('ROLLBACK TO ekyc_ledger; RELEASE ekyc_ledger');
      o.logger.error({ captureId: row.id, err: (err as Error).message.slice(0, 160) }, 'e-KYC transaction not recorded; the capture stays accepted');
    }
  }
  if (outcome === 'rejected') {
    added.push(
      await recordEvent(tx, o.outbox, 'capture.rejected', 'warning', {
        captureId: row.id,
        code: parsed.code ?? 'REJECTED',
        reason: parsed.reason ?? 'rejected by central',
      }),
    );
  }
  await tx.run(
    'UPDATE captures SET state = ?, outbox_id = NULL, code = ?, reason = ?, auth_ref = ?, txn_recorded = ?, answered_late = ?, updated_ts = ? WHERE id = ?',
    [outcome, parsed.code ?? null, parsed.reason ?? null, parsed.authRef ?? null, txn, late ? 1 : 0, now.ts, row.id],
  );
  const after = async () => {
    if (added.length) o.outbox.committed(...added);
    counted(outcome, row.state);
    o.onChange?.();
    if (late) o.logger.warn({ captureId: parsed.captureId, result: parsed.result, outcome }, 'capture result applied after the capture expired unanswered');
    else o.logger.info({ captureId: parsed.captureId, result: parsed.result, outcome }, 'capture result applied');
    if (outcome === 'accepted' && o.printer) await printAck(o, row, now.ts, parsed.authRef, recorded);
  };
  return { status: 'applied', after };
}

async function printAck(o: ResultDeps, row: CaptureRow, at: number, authRef: string | undefined, rec: { txnId?: string; receiptNo?: string }): Promise<void> {
  const rate = rateOf(o, row.service);
  try {
    await o.printer!.printEkycAck({
      kioskId: o.kioskId,
      captureId: row.id,
      service: row.service,
      commissionPaise: rate.commissionPaise,
      chargedPaise: 0,
      officialPaise: rate.officialPaise,
      at,
      ...(row.operator ? { operator: row.operator } : {}),
      ...(authRef ? { authRef } : {}),
      ...rec,
    });
    await o.store.run('UPDATE captures SET printed = 1 WHERE id = ?', [row.id]);
  } catch (err) {
    // The result stands; the operator reprints from the transaction.
    o.logger.warn({ captureId: row.id, err: (err as Error).message.slice(0, 120) }, 'acknowledgement receipt not printed');
  }
}

/** The rate list's entry for the service; e-KYC defaults to Rs 0 charged and Rs 18 commission. */
function rateOf(o: ResultDeps, service: string): { officialPaise: number; commissionPaise: number } {
  return o.rateOf?.(service) ?? { officialPaise: 0, commissionPaise: 1800 };
}
