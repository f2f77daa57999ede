import t from 'tap';
import { startHarness } from './harness.js';

t.test('an accepted e-KYC is recorded in the caller\'s transaction: Rs 0 to the citizen, Rs 18 commission, once per capture', async (t) => {
  const h = await startHarness(t);
  const input = { idempotencyKey: '0b9f1c7e-5d1a-4c8e-9a57-3f1e2d4c5b6a', captureId: '0b9f1c7e-5d1a-4c8e-9a57-3f1e2d4c5b6a', service: 'EKYC', chargedPaise: 0, operator: 'op1' };
  const r = await h.store.transaction((tx) => h.cap.recordEkyc(tx, input));
  h.outbox.committed(...r.added);
  t.match(r, { txnId: 'RJ-JAI-0001-T1', receiptNo: 'RJ-JAI-0001-R1' });
  const again = await h.store.transaction((tx) => h.cap.recordEkyc(tx, input));
  t.equal(again.txnId, 'RJ-JAI-0001-T1');
  t.equal(again.added.length, 0, 'a second application records nothing');
  const txns = await h.queued('transactions');
  t.match(txns, [{ entry: 'transaction', serviceCode: 'EKYC', chargedPaise: 0, officialPaise: 0, commissionPaise: 1800, walletDeltaPaise: 1800, ref: input.captureId }]);
  await t.rejects(
    h.store.transaction((tx) => h.cap.recordEkyc(tx, { ...input, idempotencyKey: 'other-capture', chargedPaise: 100 })),
    { code: 'above-rate' },
    'a fee for e-KYC is refused, and the caller\'s transaction with it',
  );
  // The inactivity spell restarts from it: the check is queued behind the caller's commit.
  await new Promise((resolve) => setImmediate(resolve));
  const kv = await h.store.get<{ value: string }>("SELECT value FROM kv WHERE key = 'inactivity'");
  t.match(JSON.parse(kv!.value), { originTxn: 'RJ-JAI-0001-T1' });
});
