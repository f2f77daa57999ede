import t from 'tap';
import { advance, breachAt, crossings, daysOf, elapsedMs, initialState, isEstimated, type LastTxn } from '../../../agent/inactivity/counter.js';
import { DAY, HOUR, rng, World } from './world.js';

const rules = { warnDays: [20, 25, 28, 29], breachDays: 30 };

t.test('a wall clock that jumps back or forward within a boot neither resets nor inflates the count', (t) => {
  const w = new World();
  let s = initialState(w.now());
  w.pass(3 * DAY);
  s = advance(s, w.now());
  w.jump(-400 * DAY);
  w.pass(HOUR);
  s = advance(s, w.now());
  w.jump(+800 * DAY);
  w.pass(HOUR);
  s = advance(s, w.now());
  t.equal(elapsedMs(s), 3 * DAY + 2 * HOUR);
  w.sync();
  s = advance(s, w.now());
  t.equal(elapsedMs(s), 3 * DAY + 2 * HOUR);
  t.end();
});

t.test('a reboot is bridged with trusted time, at boot or later, through boots that never had it', (t) => {
  const w = new World();
  let s = initialState(w.now());
  w.pass(2 * DAY);
  s = advance(s, w.now());
  w.reboot(3 * DAY, false);
  s = advance(s, w.now());
  t.ok(isEstimated(s), 'a lower bound until trusted time arrives');
  t.ok(elapsedMs(s) < 3 * DAY);
  w.pass(5 * HOUR);
  s = advance(s, w.now());
  w.reboot(1 * DAY, false); // a second boot without trusted time
  s = advance(s, w.now());
  w.pass(HOUR);
  w.sync();
  s = advance(s, w.now());
  t.notOk(isEstimated(s));
  t.equal(elapsedMs(s), 2 * DAY + 3 * DAY + 30_000 + 5 * HOUR + 1 * DAY + 30_000 + HOUR, 'exact once bridged');
  t.end();
});

t.test('a transaction just before a reboot starts the spell at its own reading', (t) => {
  const w = new World();
  let s = initialState(w.now());
  w.pass(10 * DAY);
  const txn: LastTxn = { id: 'T1', ts: w.wall, mono: w.mono, boot: w.boot, synced: true };
  w.pass(HOUR);
  w.reboot(2 * HOUR, true);
  s = advance(s, w.now(), txn);
  t.equal(elapsedMs(s), 3 * HOUR + 30_000);
  t.equal(s.originTxn, 'T1');
  t.end();
});

t.test('warnings on their days, one breach, each once; the breach date is shown', (t) => {
  const w = new World();
  let s = initialState(w.now());
  const sent: string[] = [];
  for (let h = 0; h < 31 * 24; h++) {
    w.pass(HOUR);
    s = advance(s, w.now());
    const c = crossings(s, rules);
    s = c.state;
    for (const d of c.due) sent.push(d.kind === 'warning' ? `warn@${d.day}:${daysOf(s)}` : `breach#${d.count}:${daysOf(s)}`);
    if (h === 0) t.equal(breachAt(s, w.now(), rules), w.wall + 30 * DAY - HOUR);
  }
  t.same(sent, ['warn@20:20', 'warn@25:25', 'warn@28:28', 'warn@29:29', 'breach#1:30']);
  t.end();
});

t.test('property: over random sequences the count stays within a day of the truth and never runs ahead', (t) => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const w = new World();
    let s = initialState(w.now());
    let origin = w.trueTs;
    let darkBudget = 12 * HOUR;
    let n = 0;
    // Time off before a boot without trusted time, since the clock was last trusted: a
    // transaction in such a boot may have it counted after it (agent/inactivity/counter.ts).
    let unsyncedDown = 0;
    let ahead = 0;
    for (let step = 0; step < 120; step++) {
      const x = r();
      if (x < 0.45) w.pass(Math.floor(r() * 20 * HOUR));
      else if (x < 0.6) {
        const trusted = r() < 0.6;
        // A reboot whose gap no trusted time may ever bridge is the one source of lag: bounded.
        let down = Math.floor(r() * (trusted ? 4 * DAY : 6 * HOUR));
        if (!trusted) {
          down = Math.min(down, darkBudget);
          darkBudget -= down;
        }
        w.reboot(down, trusted, -Math.floor(r() * 30 * DAY));
        unsyncedDown = trusted ? 0 : unsyncedDown + down;
      } else if (x < 0.7) w.jump(Math.floor((r() - 0.5) * 800 * DAY));
      else if (x < 0.8) {
        w.sync();
        unsyncedDown = 0;
      }
      else if (x < 0.88) {
        s = advance(s, w.now());
        const txn: LastTxn = { id: `T${++n}`, ts: w.wall, mono: w.mono, boot: w.boot, synced: w.synced };
        origin = w.trueTs;
        darkBudget = 12 * HOUR;
        ahead = unsyncedDown;
        s = advance(s, w.now(), txn);
      }
      s = advance(s, w.now());
      const truth = w.trueTs - origin;
      const counted = elapsedMs(s);
      if (counted > truth + ahead + 60_000) t.fail(`seed ${seed} step ${step}: counted ${counted} ahead of ${truth}`);
      if (Math.abs(Math.floor(truth / DAY) - daysOf(s)) > 1) t.fail(`seed ${seed} step ${step}: ${daysOf(s)} days, truly ${Math.floor(truth / DAY)}`);
    }
  }
  t.pass('300 seeded sequences of 120 steps');
  t.end();
});
