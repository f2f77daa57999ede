import t from 'tap';
import { jobMessage } from '../../../agent/jobs/runner.js';
import { currentBalance, sumOfMovements } from '../../../agent/ledger/queries.js';
import { decodeMessage } from '../../../protocols/telemetry/index.js';
import { startHarness, type Harness } from '../ledger/harness.js';

async function statuses(h: Harness) {
  const rows = await h.store.all<{ topic: string; payload: string }>("SELECT topic, payload FROM outbox WHERE channel = 'job-status' ORDER BY id");
  return rows.map((r) => {
    if (!decodeMessage(r.topic, Buffer.from(r.payload)).ok) throw new Error(`job-status outside the contract: ${r.payload}`);
    const m = JSON.parse(r.payload) as Record<string, unknown>;
    return [m['jobId'], m['status'], m['code'] ?? m['previous'] ?? ''] as const;
  });
}

t.test('a redelivered wallet.credit is applied once; a copy is answered duplicate with the first outcome', async (t) => {
  const h = await startHarness(t);
  const job = jobMessage('J-credit-1', 'wallet.credit', { amountPaise: 25_000_00, reference: 'NEFT-123' }, h.time.wall);
  await h.deliver('jobs', job);
  await h.deliver('jobs', job); // the broker redelivers after a lost PUBACK
  await h.deliver('jobs', job);
  t.equal(await currentBalance(h.store), 25_000_00);
  t.equal(await sumOfMovements(h.store), 25_000_00);
  t.same(await statuses(h), [
    ['J-credit-1', 'accepted', ''],
    ['J-credit-1', 'succeeded', ''],
    ['J-credit-1', 'rejected', 'duplicate'],
    ['J-credit-1', 'rejected', 'duplicate'],
  ]);
  const wallet = (await h.queued('transactions')).filter((m) => m['entry'] === 'wallet');
  t.equal(wallet.length, 1);
  t.match(wallet[0], { kind: 'credit', amountPaise: 25_000_00, jobId: 'J-credit-1', note: 'NEFT-123' });
});

t.test('a job recorded but cut short by a crash runs once when it is redelivered', async (t) => {
  const dir = t.testdir({});
  const h = await startHarness(t, {}, { dir });
  // What a crash between the accepted row and the run leaves behind.
  await h.store.run("INSERT INTO jobs (id, type, status, body, received_ts, updated_ts) VALUES ('J-cut', 'wallet.credit', 'accepted', ?, 0, 0)", [JSON.stringify({ params: { amountPaise: 500_00 } })]);
  await h.stop();
  const again = await startHarness(t, {}, { dir, time: h.time });
  t.equal(await currentBalance(again.store), 500_00, 'resumed at start');
  await again.deliver('jobs', jobMessage('J-cut', 'wallet.credit', { amountPaise: 500_00 }, again.time.wall));
  t.equal(await currentBalance(again.store), 500_00, 'and not again on redelivery');
});

t.test('expired, unknown, invalid and not-allowed jobs are refused with a status; nothing runs', async (t) => {
  const h = await startHarness(t);
  const now = h.time.wall;
  await h.deliver('jobs', jobMessage('J-old', 'wallet.credit', { amountPaise: 100 }, now - 7_200_000, 3_600_000));
  await h.deliver('jobs', jobMessage('J-what', 'reboot.now', {}, now));
  await h.deliver('jobs', jobMessage('J-float', 'wallet.credit', { amountPaise: 10.5 }, now));
  await h.deliver('jobs', jobMessage('J-key', 'config.set', { key: 'mqtt.url', value: 'mqtt://evil' }, now));
  await h.deliver('jobs', jobMessage('J-val', 'config.set', { key: 'wallet.minimumPaise', value: -5 }, now));
  await h.deliver('jobs', Buffer.from('{"v":1,"id":"J-bad"}'));
  await h.deliver('jobs', Buffer.from('not json'));
  t.same(await statuses(h), [
    ['J-old', 'expired', 'expired'],
    ['J-what', 'rejected', 'unknown-type'],
    ['J-float', 'rejected', 'invalid'],
    ['J-key', 'rejected', 'not-allowed'],
    ['J-val', 'rejected', 'invalid'],
    ['J-bad', 'rejected', 'invalid'],
  ]);
  t.equal(await currentBalance(h.store), 0);
  t.ok((await h.queued('events')).some((e) => e['type'] === 'message.rejected'), 'a message without a job id is reported as an event');
  await h.deliver('jobs', jobMessage('J-old', 'wallet.credit', { amountPaise: 100 }, now));
  t.same((await statuses(h)).at(-1), ['J-old', 'rejected', 'duplicate'], 'an expired id stays refused');
  t.match((await h.queued('job-status')).at(-1), { previous: 'expired' });
});

t.test('wallet.sync records the difference as an adjustment; config.set, print.test, diagnostics and state.republish run', async (t) => {
  const h = await startHarness(t);
  const now = h.time.wall;
  await h.deliver('jobs', jobMessage('J-c', 'wallet.credit', { amountPaise: 30_000_00 }, now));
  await h.deliver('jobs', jobMessage('J-s', 'wallet.sync', { balancePaise: 29_250_00 }, now));
  t.equal(await currentBalance(h.store), 29_250_00);
  const adj = (await h.queued('transactions')).filter((m) => m['kind'] === 'adjustment');
  t.match(adj, [{ amountPaise: -750_00, balancePaise: 29_250_00, jobId: 'J-s' }]);
  await h.deliver('jobs', jobMessage('J-s2', 'wallet.sync', { balancePaise: 29_250_00 }, now));
  t.equal((await h.queued('transactions')).filter((m) => m['kind'] === 'adjustment').length, 1, 'no difference, no adjustment');

  await h.deliver('jobs', jobMessage('J-min', 'config.set', { key: 'wallet.minimumPaise', value: 30_000_00 }, now));
  const below = (await h.queued('events')).filter((e) => e['type'] === 'wallet.below_minimum');
  t.match(below, [{ data: { balancePaise: 29_250_00, minimumPaise: 30_000_00 } }], 'a raised minimum is applied at once');
  await h.deliver('jobs', jobMessage('J-p', 'print.test', {}, now));
  t.equal(h.printer.tests, 1);
  await h.deliver('jobs', jobMessage('J-d', 'diagnostics', {}, now));
  await h.deliver('jobs', jobMessage('J-r', 'state.republish', {}, now));
  const all = await h.queued('job-status');
  const diag = all.find((m) => m['jobId'] === 'J-d' && m['status'] === 'succeeded');
  t.match(diag, { result: { wallet: { balancePaise: 29_250_00, minimumPaise: 30_000_00, belowMinimum: true }, inactivity: { days: 0 }, queue: {} } });
  t.ok(all.some((m) => m['jobId'] === 'J-r' && m['status'] === 'succeeded'));
  const rows = await h.store.all<{ topic: string; payload: string }>("SELECT topic, payload FROM outbox WHERE channel = 'state'");
  t.ok(rows.length && rows.every((r) => decodeMessage(r.topic, Buffer.from(r.payload)).ok), 'state with wallet and inactivity is valid against the contract');
  const state = await h.queued('state');
  t.match(state.at(-1), { wallet: { balancePaise: 29_250_00, belowMinimum: true }, inactivity: { days: 0, breachDay: 30 } });
});
