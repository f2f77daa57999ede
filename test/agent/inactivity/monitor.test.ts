import t, { type Test } from 'tap';
import { join } from 'node:path';
import { InactivityMonitor } from '../../../agent/inactivity/monitor.js';
import { inactivityWarning } from '../../../agent/inactivity/route.js';
import { recordTransaction } from '../../../agent/ledger/ledger.js';
import { DEFAULT_RATES } from '../../../agent/ledger/config.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { Store } from '../../../agent/store/db.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { decodeMessage } from '../../../protocols/telemetry/index.js';
import { DAY, HOUR, World } from './world.js';

const settings = { warnDays: [20, 25, 28, 29], breachDays: 30, penaltyPaise: 1_000_00, checkEverySec: 300 };

/** One run of the agent: store, outbox and monitor over the simulated kiosk's clock. */
async function boot(path: string, w: World) {
  const store = await Store.open(path, { logger: silentLogger });
  const outbox = await Outbox.open(store, 'RJ-JAI-0001', w, { maxRows: 10_000, maxBytes: 1e8 }, silentLogger);
  const monitor = new InactivityMonitor(store, outbox, w, settings, () => undefined);
  await monitor.check();
  return { store, outbox, monitor };
}

async function eventsOf(path: string) {
  const store = await Store.open(path, { logger: silentLogger });
  const rows = await store.all<{ topic: string; payload: string }>("SELECT topic, payload FROM outbox WHERE channel = 'events' ORDER BY id");
  await store.close();
  return rows.map((r) => {
    t.ok(decodeMessage(r.topic, Buffer.from(r.payload)).ok, 'valid against the contract');
    return JSON.parse(r.payload) as { type: string; ts: number; data: Record<string, number | boolean> };
  });
}

t.test('31 days without a transaction: each warning on its day and one breach, once, across five reboots and two clock jumps', async (t: Test) => {
  const path = join(t.testdir({}), 'agent.db');
  const w = new World();
  let run = await boot(path, w);
  const env = { outbox: run.outbox, time: w, kioskId: 'RJ-JAI-0001', rates: DEFAULT_RATES, minimumPaise: 0 };
  const r = await run.store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'last-txn', serviceCode: 'EKYC', chargedPaise: 0, operator: 'op1' }));
  run.outbox.committed(...r.added);
  const txnAt = w.trueTs;
  await run.monitor.check();

  const reboots = new Map([
    [3 * 24, { crash: false }],
    [9 * 24 + 5, { crash: true }],
    [15 * 24, { crash: false }],
    [25 * 24 + 1, { crash: true }], // just after the day-25 warning went out
    [28 * 24 + 3, { crash: false }],
  ]);
  const jumps = new Map([
    [12 * 24, -2 * 365 * DAY], // back two years in a boot without trusted time
    [22 * 24, +40 * DAY], // forward forty days
  ]);
  let syncAt = -1;
  for (let h = 1; h <= 31 * 24; h++) {
    w.pass(HOUR);
    const jump = jumps.get(h);
    if (jump !== undefined) {
      w.jump(jump);
      syncAt = h + 20;
    }
    if (h === syncAt) w.sync();
    const reboot = reboots.get(h);
    if (reboot) {
      // A crash (kill -9, power cut) skips the clean stop; nothing committed is lost either way.
      if (!reboot.crash) await run.monitor.stop();
      await run.store.close();
      // Off for two hours; fake-hwclock brings back the time it saved; NTP comes an hour later.
      w.reboot(2 * HOUR, false, -3 * HOUR);
      syncAt = h + 1;
      run = await boot(path, w);
    } else {
      await run.monitor.check();
    }
  }
  await run.monitor.stop();
  await run.store.close();

  const events = await eventsOf(path);
  const warnings = events.filter((e) => e.type === 'inactivity.warning');
  const breaches = events.filter((e) => e.type === 'inactivity.breach');
  t.same(warnings.map((e) => e.data['days']), [20, 25, 28, 29], 'each warning once, on its day');
  t.same(breaches.map((e) => [e.data['days'], e.data['penaltyPaise'], e.data['count']]), [[30, 1_000_00, 1]], 'one breach with the Rs 1,000 penalty');
  for (const e of warnings) t.equal(e.data['breachDay'], 30);
  t.ok(w.trueTs - txnAt >= 31 * DAY);
});

t.test('the count is shown with the date the breach falls; a new transaction starts a new spell', async (t: Test) => {
  const path = join(t.testdir({}), 'agent.db');
  const w = new World();
  const run = await boot(path, w);
  w.pass(5 * DAY + HOUR);
  await run.monitor.check();
  const s = await run.monitor.section();
  t.match(s, { days: 5, breachDay: 30, estimated: false, warnDays: [20, 25, 28, 29], penaltyPaise: 1_000_00 });
  t.equal(s.breachAtTs, w.wall + 25 * DAY - HOUR);
  t.match(s.breachOn, /^\d{4}-\d{2}-\d{2}$/);
  t.equal(inactivityWarning(s), undefined, 'no warning before the first warning day');
  t.match(inactivityWarning({ ...s, days: 20 }), { en: /No transaction for 20 days: a fine of Rs 1,000 falls on \d{4}/, hi: /जुर्माना/ });
  const env = { outbox: run.outbox, time: w, kioskId: 'RJ-JAI-0001', rates: DEFAULT_RATES, minimumPaise: 0 };
  await run.store.transaction((tx) => recordTransaction(tx, env, { idempotencyKey: 'k-1', serviceCode: 'EKYC', chargedPaise: 0, operator: 'op1' }));
  w.pass(HOUR);
  await run.monitor.check();
  t.equal((await run.monitor.section()).days, 0);
  t.equal((await run.monitor.section()).lastTxnTs, w.wall - HOUR);
  await run.monitor.stop();
  await run.store.close();
});
