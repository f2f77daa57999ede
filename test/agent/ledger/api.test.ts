import t from 'tap';
import { hashPin } from '../../../agent/auth/pin.js';
import { startHarness } from './harness.js';

// A cheap scrypt cost keeps the tests quick; the hash carries its own parameters.
const users = async () => [
  { user: 'op1', role: 'operator' as const, pinHash: await hashPin('1234', { N: 1024 }) },
  { user: 'admin1', role: 'admin' as const, pinHash: await hashPin('987654', { N: 1024 }) },
];
const rates = {
  EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' },
  INCOME_CERT: { officialPaise: 5000, commissionPaise: 1500, nameEn: 'Income certificate', nameHi: 'आय प्रमाण पत्र' },
};

t.test('a wrong PIN gets 401, a wrong role 403; the right role gets through', async (t) => {
  const h = await startHarness(t, { auth: { users: await users() } });
  t.equal((await h.call('GET', '/v1/wallet')).status, 401, 'no token');
  t.equal((await h.call('GET', '/v1/wallet', undefined, 'x'.repeat(43))).status, 401, 'unknown token');
  const wrong = await h.call('POST', '/v1/login', { user: 'op1', pin: '0000' });
  t.equal(wrong.status, 401);
  t.match(wrong.body, { type: 'urn:kiosk-agent:problem:wrong-pin', title_hi: /पिन/, detail: /4 attempts left/ });
  t.equal((await h.call('POST', '/v1/login', { user: 'nobody', pin: '1234' })).status, 401, 'an unknown user looks the same');
  const op = await h.login('op1', '1234');
  t.equal((await h.call('GET', '/v1/wallet', undefined, op)).status, 200);
  const forbidden = await h.call('POST', '/v1/wallet/topups', { idempotencyKey: 'topup-0001', amountPaise: 25_000_00 }, op);
  t.equal(forbidden.status, 403);
  t.match(forbidden.body, { title_hi: /भूमिका/ });
  const admin = await h.login('admin1', '987654');
  const top = await h.call('POST', '/v1/wallet/topups', { idempotencyKey: 'topup-0001', amountPaise: 25_000_00 }, admin);
  t.equal(top.status, 201);
  t.match(top.body, { amountPaise: 25_000_00, balancePaise: 25_000_00, duplicate: false });
  t.equal((await h.call('GET', '/v1/reports/daily', undefined, admin)).status, 200, 'an admin may do what an operator may');
  t.equal((await h.call('POST', '/v1/settings', { key: 'wallet.minimumPaise', value: 30_000_00 }, op)).status, 403, 'limits are the admin\'s');
  t.equal((await h.call('POST', '/v1/settings', { key: 'mqtt.url', value: 'x' }, admin)).status, 422);
  t.equal((await h.call('POST', '/v1/settings', { key: 'wallet.minimumPaise', value: 1.5 }, admin)).status, 400);
  const set = await h.call('POST', '/v1/settings', { key: 'wallet.minimumPaise', value: 30_000_00 }, admin);
  t.match(set.body, { key: 'wallet.minimumPaise', value: 30_000_00 });
  t.match((await h.call('GET', '/v1/wallet', undefined, op)).body, { minimumPaise: 30_000_00, belowMinimum: true });
  t.match((await h.queued('events')).filter((e) => e['type'] === 'wallet.below_minimum'), [{ data: { balancePaise: 25_000_00, minimumPaise: 30_000_00 } }]);
  await h.call('POST', '/v1/logout', { token: op }, op);
  t.equal((await h.call('GET', '/v1/wallet', undefined, op)).status, 401, 'logged out');
});

t.test('repeated wrong PINs lock the login for the configured time, across a wall-clock jump', async (t) => {
  const h = await startHarness(t, { auth: { users: await users(), maxFailures: 3, lockoutSec: 60, tokenTtlSec: 30 } });
  for (const n of [1, 2]) t.equal((await h.call('POST', '/v1/login', { user: 'op1', pin: '1111' })).status, 401, `wrong PIN ${n}`);
  const third = await h.call('POST', '/v1/login', { user: 'op1', pin: '1111' });
  t.equal(third.status, 423);
  t.match(third.body, { type: 'urn:kiosk-agent:problem:login-locked', detail: /60 s/ });
  t.equal((await h.call('POST', '/v1/login', { user: 'op1', pin: '1234' })).status, 423, 'the right PIN is refused while locked');
  h.time.wall += 365 * 86_400_000; // a wall-clock jump does not end the lock
  h.time.mono += 30_000;
  t.equal((await h.call('POST', '/v1/login', { user: 'op1', pin: '1234' })).status, 423);
  h.time.mono += 31_000;
  const token = await h.login('op1', '1234');
  t.ok(token, 'unlocked after the lockout');
  const events = (await h.queued('events')).filter((e) => e['type'] === 'login.locked');
  t.equal(events.length, 1);
  t.match(events[0], { data: { user: 'op1', failures: 3, lockoutSec: 60 } });
  h.time.mono += 31_000;
  t.equal((await h.call('GET', '/v1/wallet', undefined, token)).status, 401, 'the token is short-lived');
});

t.test('transactions: refused above the official rate, once per key, listed, receipts reprinted as DUPLICATE, daily report', async (t) => {
  const h = await startHarness(t, { auth: { users: await users() }, ledger: { rates } });
  const op = await h.login('op1', '1234');
  const admin = await h.login('admin1', '987654');
  await h.call('POST', '/v1/wallet/topups', { idempotencyKey: 'topup-0001', amountPaise: 20_010_00 }, admin);

  const above = await h.call('POST', '/v1/transactions', { idempotencyKey: 'txn-00000001', serviceCode: 'INCOME_CERT', chargedPaise: 5001 }, op);
  t.equal(above.status, 422);
  t.match(above.body, { type: 'urn:kiosk-agent:problem:above-rate', title_hi: /आधिकारिक दर/ });
  t.equal((await h.call('POST', '/v1/transactions', { idempotencyKey: 'txn-00000001', serviceCode: 'INCOME_CERT', chargedPaise: 50.5 }, op)).status, 400, 'paise are integers');

  const ok = await h.call('POST', '/v1/transactions', { idempotencyKey: 'txn-00000001', serviceCode: 'INCOME_CERT', chargedPaise: 5000 }, op);
  t.equal(ok.status, 201);
  t.match(ok.body, { transaction: { txnId: 'RJ-JAI-0001-T1', operator: 'op1', officialPaise: 5000, commissionPaise: 1500 }, balancePaise: 20_010_00 - 3500, duplicate: false });
  t.match(ok.body, { wallet: { belowMinimum: true, warning: { en: /below the required minimum/, hi: /न्यूनतम/ } } });
  const again = await h.call('POST', '/v1/transactions', { idempotencyKey: 'txn-00000001', serviceCode: 'INCOME_CERT', chargedPaise: 5000 }, op);
  t.match(again.body, { duplicate: true, transaction: { txnId: 'RJ-JAI-0001-T1' } });
  await h.call('POST', '/v1/transactions', { idempotencyKey: 'txn-00000002', serviceCode: 'EKYC', chargedPaise: 0 }, op);

  const list = await h.call('GET', '/v1/transactions', undefined, op);
  t.same((list.body['transactions'] as { txnId: string }[]).map((x) => x.txnId), ['RJ-JAI-0001-T1', 'RJ-JAI-0001-T2']);
  const tomorrow = new Date(h.time.wall + 86_400_000 + 330 * 60_000).toISOString().slice(0, 10);
  t.same((await h.call('GET', `/v1/transactions?from=${tomorrow}`, undefined, op)).body['transactions'], []);

  const first = await h.call('POST', '/v1/receipts/RJ-JAI-0001-T1/print', undefined, op);
  const second = await h.call('POST', '/v1/receipts/RJ-JAI-0001-T1/print', undefined, op);
  t.match(first.body, { duplicate: false, prints: 1 });
  t.match(second.body, { duplicate: true, prints: 2 });
  t.same(h.printer.printed.map((p) => [p.doc.receiptNo, p.duplicate]), [['RJ-JAI-0001-R1', false], ['RJ-JAI-0001-R1', true]]);
  t.equal((await h.call('POST', '/v1/receipts/NOPE/print', undefined, op)).status, 404);

  const wallet = await h.call('GET', '/v1/wallet', undefined, op);
  t.match(wallet.body, { balancePaise: 20_010_00 - 3500 + 1800, minimumPaise: 20_000_00, belowMinimum: true });
  const report = await h.call('GET', '/v1/reports/daily', undefined, op);
  t.match(report.body, {
    kioskId: 'RJ-JAI-0001',
    transactions: { success: 2, failed: 0 },
    byService: [{ serviceCode: 'EKYC', count: 1, commissionPaise: 1800 }, { serviceCode: 'INCOME_CERT', count: 1, chargedPaise: 5000, commissionPaise: 1500 }],
    totals: { chargedPaise: 5000, commissionPaise: 3300 },
    wallet: { openingPaise: 0, closingPaise: 20_010_00 - 3500 + 1800, topupsPaise: 20_010_00, debitsPaise: -5000, creditsPaise: 3300 },
  });
  const below = (await h.queued('events')).filter((e) => e['type'] === 'wallet.below_minimum');
  t.equal(below.length, 1, 'one event per crossing');
  const txns = await h.queued('transactions');
  t.same(txns.map((m) => m['entry']), ['wallet', 'transaction', 'transaction']);
});
