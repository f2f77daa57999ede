/**
 * The operations half of the repository contract, written once and run against each store
 * implementation (SQLite here; PostgreSQL with the same suite).
 */
import type { Test } from 'tap';
import { emptyKiosk, type FleetRepository, type StoredTransaction } from '../../../fleet/store/repository.js';

export function operationsSuite(t: Test, open: (t: Test) => Promise<FleetRepository>): void {
  const txn = (seq: number, over: Partial<StoredTransaction> = {}): StoredTransaction => ({
    kioskId: 'RJ-JAI-0001',
    seq,
    entry: 'transaction',
    ts: 1_764_000_000_000 + seq,
    synced: true,
    serviceCode: 'EKYC',
    status: 'success',
    amountPaise: 1800,
    balancePaise: 2_000_000 + seq,
    data: { seq },
    receivedAt: 5,
    ...over,
  });

  t.test('transactions are unique on kiosk and seq and listed in order', async (t) => {
    const repo = await open(t);
    await repo.updateKiosk('RJ-JAI-0001', () => ({ ...emptyKiosk('RJ-JAI-0001'), district: 'Jaipur' }));
    t.equal(await repo.addTransaction(txn(2)), true);
    t.equal(await repo.addTransaction(txn(1, { serviceCode: 'BILL', amountPaise: -5000 })), true);
    t.equal(await repo.addTransaction(txn(2, { amountPaise: 9 })), false, 'a redelivery is dropped');
    t.same((await repo.listTransactions('RJ-JAI-0001')).map((x) => [x.seq, x.amountPaise]), [[1, -5000], [2, 1800]]);
    t.same(await repo.listTransactions('RJ-JAI-0001', 1).then((l) => l.map((x) => x.seq)), [2], 'the newest within the limit');
    await repo.addTransaction(txn(3, { status: 'failed' }));
    await repo.addTransaction(txn(4, { entry: 'wallet', serviceCode: null, status: 'credit' }));
    t.same(await repo.listServiceTransactions(['EKYC'], 0), [{ kioskId: 'RJ-JAI-0001', district: 'Jaipur', ts: 1_764_000_000_002 }], 'successful e-KYC only');
    t.same(await repo.listServiceTransactions(['EKYC'], 1_764_000_000_003), []);
  });

  t.test('sequence marks: gaps counted per kiosk and channel, a straggler closes one hole', async (t) => {
    const repo = await open(t);
    t.same(await repo.noteSeq('K-1', 'events', 10), { gap: 0, lastSeq: 10, missed: 0 }, 'the first seq heard sets the mark');
    t.same(await repo.noteSeq('K-1', 'events', 11), { gap: 0, lastSeq: 11, missed: 0 });
    t.same(await repo.noteSeq('K-1', 'events', 15), { gap: 3, lastSeq: 15, missed: 3 });
    t.same(await repo.noteSeq('K-1', 'events', 13), { gap: 0, lastSeq: 15, missed: 2 }, 'a late one fills in, no new gap');
    t.same(await repo.noteSeq('K-1', 'transactions', 1), { gap: 0, lastSeq: 1, missed: 0 }, 'channels are separate');
    t.same(await repo.noteSeq('K-1', 'transactions', 3), { gap: 1, lastSeq: 3, missed: 1 });
    t.same(await repo.seqGaps('K-1'), { gaps: 2, missed: 3 });
    t.same(await repo.noteSeq('K-1', 'transactions', 2), { gap: 0, lastSeq: 3, missed: 0 });
    t.same(await repo.noteSeq('K-1', 'transactions', 0), { gap: 0, lastSeq: 3, missed: 0 }, 'older than the first heard: no hole to close');
    t.same(await repo.seqGaps('K-1'), { gaps: 2, missed: 2 }, 'gaps stay counted; missed counts the holes still open');
    t.same(await repo.seqGaps('K-2'), { gaps: 0, missed: 0 });
  });

  t.test('a row and its sequence mark in one step: a redelivery neither stores nor marks again', async (t) => {
    const repo = await open(t);
    const ev = (seq: number) => ({ kioskId: 'K-3', seq, type: 'power.lost', severity: 'warning' as const, ts: seq, mono: seq, boot: 'b', synced: true, data: {}, receivedAt: 1 });
    t.same(await repo.addEventMarked(ev(1)), { gap: 0, lastSeq: 1, missed: 0 });
    t.same(await repo.addEventMarked(ev(4)), { gap: 2, lastSeq: 4, missed: 2 });
    t.same(await repo.addEventMarked(ev(2)), { gap: 0, lastSeq: 4, missed: 1 }, 'a straggler closes one hole');
    t.equal(await repo.addEventMarked(ev(2)), undefined, 'its redelivery is a duplicate and closes nothing more');
    t.same(await repo.seqGaps('K-3', 'events'), { gaps: 1, missed: 1 });
    t.same(await repo.addTransactionMarked(txn(7, { kioskId: 'K-3' })), { gap: 0, lastSeq: 7, missed: 0 });
    t.equal(await repo.addTransactionMarked(txn(7, { kioskId: 'K-3' })), undefined);
    t.same((await repo.listEvents('K-3')).map((e) => e.seq), [1, 2, 4]);
  });

  t.test('jobs: one row per kiosk; statuses move forward; expiry', async (t) => {
    const repo = await open(t);
    const job = { jobId: 'j-1', type: 'print.test', params: {}, target: 'district:Jaipur', createdAt: 100, expiresTs: 1000, createdBy: 'ops' };
    await repo.createJob(job, ['K-1', 'K-2', 'K-3']);
    t.same(await repo.getJob('j-1'), job);
    t.same((await repo.listJobs()).map((j) => j.jobId), ['j-1']);
    t.same((await repo.listJobTargets('j-1')).map((x) => x.status), ['pending', 'pending', 'pending']);
    t.equal(await repo.updateJobTarget('j-1', 'K-9', { status: 'accepted', at: 1 }), false, 'not a target');
    await repo.updateJobTarget('j-1', 'K-1', { status: 'accepted', at: 200 });
    await repo.updateJobTarget('j-1', 'K-1', { status: 'sent', at: 201 });
    t.equal((await repo.listJobTargets('j-1'))[0]?.status, 'accepted', 'a late broker ack does not hide the answer');
    await repo.updateJobTarget('j-1', 'K-1', { status: 'succeeded', result: { printed: true }, at: 300 });
    await repo.updateJobTarget('j-1', 'K-1', { status: 'accepted', at: 301 });
    await repo.updateJobTarget('j-1', 'K-1', { status: 'rejected', code: 'duplicate', at: 302 });
    t.match((await repo.listJobTargets('j-1'))[0], { status: 'succeeded', result: { printed: true }, updatedAt: 300 }, 'a final status stays');
    await repo.updateJobTarget('j-1', 'K-2', { status: 'failed', code: 'error', reason: 'no paper', at: 400 });
    t.same(await repo.expireJobTargets(1000), [], 'not before the expiry');
    t.same(await repo.expireJobTargets(1001), [{ jobId: 'j-1', kioskId: 'K-3' }]);
    t.same((await repo.listJobTargets('j-1')).map((x) => [x.kioskId, x.status, x.code]), [
      ['K-1', 'succeeded', null],
      ['K-2', 'failed', 'error'],
      ['K-3', 'expired', 'expired'],
    ]);
    t.same((await repo.listKioskJobs('K-2')).map((x) => [x.jobId, x.type, x.reason]), [['j-1', 'print.test', 'no paper']]);
  });

  t.test('alerts: open, update, clear atomically with history', async (t) => {
    const repo = await open(t);
    const opened = await repo.updateAlerts('K-1', (open) => {
      t.same(open, []);
      return [
        { kioskId: 'K-1', kind: 'offline', action: 'open', severity: 'critical', detail: 'will', at: 10, openedAt: 10 },
        { kioskId: 'K-1', kind: 'clock', action: 'open', severity: 'warning', detail: 'not synced', at: 10, openedAt: 10 },
      ];
    });
    t.equal(opened.length, 2);
    await repo.updateAlerts('K-1', (open) => {
      t.same(open.map((a) => a.kind), ['clock', 'offline']);
      return [
        { kioskId: 'K-1', kind: 'offline', action: 'update', severity: 'critical', detail: 'missed heartbeats', at: 20, openedAt: 10 },
        { kioskId: 'K-1', kind: 'clock', action: 'clear', severity: 'warning', detail: 'not synced', at: 20, openedAt: 10 },
      ];
    });
    t.same(await repo.listOpenAlerts(), [{ kioskId: 'K-1', kind: 'offline', severity: 'critical', detail: 'missed heartbeats', openedAt: 10, updatedAt: 20 }]);
    t.same(await repo.listOpenAlerts('K-2'), []);
    const history = await repo.listAlertHistory('K-1');
    t.same(history.map((h) => [h.kind, h.action, h.at]), [['clock', 'clear', 20], ['offline', 'update', 20], ['clock', 'open', 10], ['offline', 'open', 10]], 'newest first');
    await t.rejects(repo.updateAlerts('K-1', () => {
      throw new Error('boom');
    }), /boom/);
    t.equal((await repo.listAlertHistory()).length, 4, 'a failed update writes nothing');
  });
}
