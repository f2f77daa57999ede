import t, { type Test } from 'tap';
import { join } from 'node:path';
import { Store } from '../../../agent/store/db.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { recordMovement, recordTransaction, type LedgerEnv } from '../../../agent/ledger/ledger.js';
import { LedgerError } from '../../../agent/ledger/errors.js';
import { currentBalance, sumOfMovements } from '../../../agent/ledger/queries.js';
import { DEFAULT_RATES } from '../../../agent/ledger/config.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { decodeMessage } from '../../../protocols/telemetry/index.js';

const time = { now: () => ({ ts: 1_790_000_000_000, mono: 5_000, boot: 'b1', synced: true }) };

async function open(t: Test) {
  const store = await Store.open(join(t.testdir({}), 'l.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, 'RJ-JAI-0001', time, { maxRows: 1000, maxBytes: 1e7 }, silentLogger);
  const env: LedgerEnv = {
    outbox,
    time,
    kioskId: 'RJ-JAI-0001',
    rates: { ...DEFAULT_RATES, BILL: { officialPaise: 5000, commissionPaise: 500, nameEn: 'Bill', nameHi: 'बिल' } },
    minimumPaise: 20_000_00,
  };
  return { store, outbox, env };
}

t.test('an e-KYC is recorded with its commission, its outbox row and a below-minimum event, once per key', async (t) => {
  const { store, outbox, env } = await open(t);
  const r = await store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'cap-1', serviceCode: 'EKYC', chargedPaise: 0, operator: 'op1', ref: 'cap-1' }));
  outbox.committed(...r.added);
  t.equal(r.duplicate, false);
  t.match(r.txn, { txnId: 'RJ-JAI-0001-T1', receiptNo: 'RJ-JAI-0001-R1', officialPaise: 0, commissionPaise: 1800, status: 'success' });
  t.equal(r.balancePaise, 1800);
  const rows = await outbox.peek(0, 10);
  t.same(rows.map((x) => x.channel), ['transactions', 'events']);
  for (const row of rows) t.ok(decodeMessage(row.topic, Buffer.from(row.payload)).ok, `${row.channel} valid against the contract`);
  t.match(JSON.parse(rows[1]!.payload), { type: 'wallet.below_minimum', data: { balancePaise: 1800, minimumPaise: 20_000_00 } });

  const again = await store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'cap-1', serviceCode: 'EKYC', chargedPaise: 0, operator: 'op1', ref: 'cap-1' }));
  t.equal(again.duplicate, true);
  t.equal(again.added.length, 0);
  t.equal(again.txn.txnId, 'RJ-JAI-0001-T1');
  await t.rejects(
    store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'cap-1', serviceCode: 'EKYC', chargedPaise: 0, operator: 'op2' })),
    { code: 'idempotency-conflict' },
  );
  t.equal(await currentBalance(store), 1800);
});

t.test('a charge above the official rate, an unknown service and a non-integer amount are refused and write nothing', async (t) => {
  const { store, env } = await open(t);
  await store.transaction((tx) => recordMovement(tx, env, { kind: 'topup', amountPaise: 30_000_00, idemKey: 'topup:1' }));
  for (const [input, code] of [
    [{ serviceCode: 'BILL', chargedPaise: 5001 }, 'above-rate'],
    [{ serviceCode: 'NOPE', chargedPaise: 0 }, 'unknown-service'],
    [{ serviceCode: 'BILL', chargedPaise: 49.5 }, 'not-paise'],
  ] as const) {
    const err = await store
      .transaction((tx) => recordTransaction(tx, env, { idempotencyKey: `k-${code}`, operator: 'op1', ...input }))
      .then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof LedgerError, code);
    t.equal((err as LedgerError).code, code);
  }
  t.equal((await store.all('SELECT * FROM ledger_txns')).length, 0);
  const ok = await store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'k-ok', serviceCode: 'BILL', chargedPaise: 5000, operator: 'op1' }));
  t.equal(ok.balancePaise, 30_000_00 - 5000 + 500, 'charge out, commission in');
  t.equal(await sumOfMovements(store), await currentBalance(store));
});

t.test('a prepaid wallet cannot go below zero; a failed transaction moves nothing', async (t) => {
  const { store, env } = await open(t);
  await t.rejects(
    store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'k1', serviceCode: 'BILL', chargedPaise: 5000, operator: 'op1' })),
    { code: 'insufficient-balance' },
  );
  const failed = await store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'k2', serviceCode: 'BILL', chargedPaise: 5000, operator: 'op1', status: 'failed' }));
  t.equal(failed.txn.commissionPaise, 0);
  t.equal(await currentBalance(store), 0);
});
