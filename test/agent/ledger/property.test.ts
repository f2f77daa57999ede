/**
 * Property test over random sequences (seeded, replayable by seed) of transactions, top-ups,
 * credits and syncs from central (some redelivered), reboots and clock jumps: the balance always
 * equals the sum of the movements and the model's balance, every running balance is consistent,
 * and the reported inactivity days stay within one day of the true days since the last transaction.
 */
import t from 'tap';
import { join } from 'node:path';
import { InactivityMonitor } from '../../../agent/inactivity/monitor.js';
import { JobRunner, jobMessage } from '../../../agent/jobs/runner.js';
import { recordMovement, recordTransaction, type LedgerEnv } from '../../../agent/ledger/ledger.js';
import { LedgerError } from '../../../agent/ledger/errors.js';
import { currentBalance, sumOfMovements } from '../../../agent/ledger/queries.js';
import { EventLog } from '../../../agent/outbox/events.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { Store } from '../../../agent/store/db.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { DAY, HOUR, rng, World } from '../inactivity/world.js';

const rates = {
  EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'e-KYC', nameHi: 'ई-केवाईसी' },
  BILL: { officialPaise: 4000, commissionPaise: 700, nameEn: 'Bill', nameHi: 'बिल' },
  CERT: { officialPaise: 10000, commissionPaise: 2500, nameEn: 'Certificate', nameHi: 'प्रमाण पत्र' },
};
const settings = { warnDays: [20, 25, 28, 29], breachDays: 30, penaltyPaise: 1_000_00, checkEverySec: 300 };

async function open(path: string, w: World) {
  const store = await Store.open(path, { logger: silentLogger });
  const outbox = await Outbox.open(store, 'RJ-JAI-0001', w, { maxRows: 100_000, maxBytes: 1e9 }, silentLogger);
  const env: LedgerEnv = { outbox, time: w, kioskId: 'RJ-JAI-0001', rates, minimumPaise: 20_000_00 };
  const monitor = new InactivityMonitor(store, outbox, w, settings, () => undefined);
  const runner = new JobRunner({
    store, outbox, events: new EventLog(store, outbox, silentLogger), clock: w, ledger: env,
    printTest: () => Promise.resolve({ ok: true }), diagnostics: () => Promise.resolve({}), republish: () => Promise.resolve(),
    afterChange: () => monitor.check(), logger: silentLogger,
  });
  await runner.resume();
  await monitor.check();
  return { store, outbox, env, monitor, runner };
}

t.test('balance = sum of movements; inactivity within a day of the truth', async (t) => {
  const SEEDS = 25;
  const STEPS = 80;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = rng(seed * 7919);
    const w = new World();
    const path = join(t.testdir({ [`s${seed}`]: {} }), `s${seed}`, 'agent.db');
    let k = await open(path, w);
    let model = 0;
    let lastTxnTrue = w.trueTs;
    let darkBudget = 12 * HOUR;
    let unsyncedDown = 0;
    let ahead = 0;
    let jobs = 0;
    const sent: Buffer[] = [];
    for (let step = 0; step < STEPS; step++) {
      const x = r();
      if (x < 0.3) {
        const code = (['EKYC', 'BILL', 'CERT'] as const)[Math.floor(r() * 3)]!;
        const rate = rates[code];
        const charged = Math.floor(r() * (rate.officialPaise + 2000)); // sometimes above the rate
        const key = r() < 0.15 && step > 0 ? `t-${seed}-${step - 1}` : `t-${seed}-${step}`;
        try {
          const rec = await k.store.transaction((tx) => recordTransaction(tx, k.env, { idempotencyKey: key, serviceCode: code, chargedPaise: charged, operator: 'op1' }));
          k.outbox.committed(...rec.added);
          if (!rec.duplicate) {
            model += rate.commissionPaise - charged;
            lastTxnTrue = w.trueTs;
            darkBudget = 12 * HOUR;
            ahead = unsyncedDown;
          }
        } catch (err) {
          if (!(err instanceof LedgerError)) throw err;
          const ok = ['above-rate', 'insufficient-balance', 'idempotency-conflict'].includes(err.code);
          if (!ok) t.fail(`seed ${seed}: unexpected refusal ${err.code}`);
          if (err.code === 'above-rate' && charged <= rate.officialPaise) t.fail(`seed ${seed}: refused at the rate`);
        }
      } else if (x < 0.4) {
        const amount = 1 + Math.floor(r() * 30_000_00);
        const m = await k.store.transaction((tx) => recordMovement(tx, k.env, { kind: 'topup', amountPaise: amount, idemKey: `topup:${seed}:${step}`, actor: 'admin1' }));
        k.outbox.committed(...m.added);
        model += amount;
      } else if (x < 0.5) {
        const job = r() < 0.5
          ? jobMessage(`J${++jobs}`, 'wallet.credit', { amountPaise: 1 + Math.floor(r() * 10_000_00) }, w.wall)
          : jobMessage(`J${++jobs}`, 'wallet.sync', { balancePaise: Math.floor(r() * 40_000_00) }, w.wall);
        sent.push(job);
        await k.runner.handle(job);
        const parsed = JSON.parse(job.toString()) as { type: string; params: { amountPaise?: number; balancePaise?: number } };
        if (parsed.type === 'wallet.credit') model += parsed.params.amountPaise!;
        else model = parsed.params.balancePaise!;
      } else if (x < 0.55 && sent.length) {
        await k.runner.handle(sent[Math.floor(r() * sent.length)]!); // a redelivery: runs never
      } else if (x < 0.8) {
        w.pass(Math.floor(r() * 30 * HOUR));
      } else if (x < 0.9) {
        const trusted = r() < 0.6;
        let down = Math.floor(r() * (trusted ? 3 * DAY : 6 * HOUR));
        if (!trusted) {
          down = Math.min(down, darkBudget);
          darkBudget -= down;
        }
        if (r() < 0.5) await k.monitor.stop(); // else a crash
        await k.store.close();
        w.reboot(down, trusted, -Math.floor(r() * 10 * DAY));
        unsyncedDown = trusted ? 0 : unsyncedDown + down;
        k = await open(path, w);
      } else if (x < 0.95) {
        w.jump(Math.floor((r() - 0.5) * 200 * DAY));
      } else {
        w.sync();
        unsyncedDown = 0;
      }
      await k.monitor.check();
      const balance = await currentBalance(k.store);
      const sum = await sumOfMovements(k.store);
      if (balance !== sum || balance !== model) t.fail(`seed ${seed} step ${step}: balance ${balance}, sum ${sum}, model ${model}`);
      const truth = w.trueTs - lastTxnTrue;
      const days = k.monitor.days;
      if (Math.abs(days - Math.floor(truth / DAY)) > 1) t.fail(`seed ${seed} step ${step}: ${days} days, truly ${Math.floor(truth / DAY)}`);
      if (days > Math.floor((truth + ahead) / DAY) + 1) t.fail(`seed ${seed} step ${step}: ahead`);
    }
    const broken = await k.store.get<{ n: number }>(
      'SELECT count(*) AS n FROM wallet_movements m WHERE m.balance_paise != (SELECT sum(amount_paise) FROM wallet_movements x WHERE x.id <= m.id)',
    );
    t.equal(broken?.n, 0, `seed ${seed}: every running balance is the sum of the movements up to it`);
    await k.monitor.stop();
    await k.store.close();
  }
});
