import t from 'tap';
import type { StatusMessage } from '../../protocols/telemetry/index.js';
import { type LivenessView, onHeartbeat, onStatus, onTick, UNKNOWN } from '../../fleet/liveness.js';
import { birth, death } from './fixtures/helpers.js';

const NOW = 1_000_000;
const on = (session: number, extra: Partial<LivenessView> = {}): LivenessView => ({
  liveness: 'online',
  reason: 'birth',
  session,
  livenessSince: 0,
  heartbeatSec: 60,
  lastBeatAt: 0,
  ...extra,
});
const off = (session: number, reason: LivenessView['reason']): LivenessView => ({ ...on(session), liveness: 'offline', reason });
const st = (m: Record<string, unknown>): StatusMessage => m as unknown as StatusMessage;

t.test('status decisions follow the session counter', (t) => {
  const cases: { name: string; cur: LivenessView; msg: StatusMessage; apply: boolean; liveness: string; reason: string; session: number | null; note: string }[] = [
    { name: 'first birth', cur: UNKNOWN, msg: st(birth(1)), apply: true, liveness: 'online', reason: 'birth', session: 1, note: 'birth' },
    { name: 'newer birth while online', cur: on(3), msg: st(birth(4)), apply: true, liveness: 'online', reason: 'birth', session: 4, note: 'birth' },
    { name: 'newer birth after will', cur: off(3, 'will'), msg: st(birth(4)), apply: true, liveness: 'online', reason: 'birth', session: 4, note: 'birth' },
    { name: 'newer birth after missed heartbeats', cur: off(3, 'missed-heartbeats'), msg: st(birth(4)), apply: true, liveness: 'online', reason: 'birth', session: 4, note: 'birth' },
    { name: 'older birth is ignored', cur: on(5), msg: st(birth(4)), apply: false, liveness: 'online', reason: 'birth', session: 5, note: 'stale-birth' },
    { name: 'older birth after will is ignored', cur: off(5, 'will'), msg: st(birth(4)), apply: false, liveness: 'offline', reason: 'will', session: 5, note: 'stale-birth' },
    { name: 'same birth again is a duplicate', cur: on(5), msg: st(birth(5)), apply: false, liveness: 'online', reason: 'birth', session: 5, note: 'duplicate-birth' },
    { name: 'birth of an ended session', cur: off(5, 'will'), msg: st(birth(5)), apply: false, liveness: 'offline', reason: 'will', session: 5, note: 'birth-of-ended-session' },
    { name: 'will of the current session', cur: on(5), msg: st(death(5)), apply: true, liveness: 'offline', reason: 'will', session: 5, note: 'will' },
    { name: 'will after a newer birth is ignored', cur: on(6), msg: st(death(5)), apply: false, liveness: 'online', reason: 'birth', session: 6, note: 'stale-will' },
    { name: 'shutdown after a newer birth is ignored', cur: on(6), msg: st(death(5, 'shutdown')), apply: false, liveness: 'online', reason: 'birth', session: 6, note: 'stale-shutdown' },
    { name: 'shutdown of the current session', cur: on(6), msg: st(death(6, 'shutdown')), apply: true, liveness: 'offline', reason: 'shutdown', session: 6, note: 'shutdown' },
    { name: 'will after shutdown of the same session', cur: off(6, 'shutdown'), msg: st(death(6)), apply: false, liveness: 'offline', reason: 'shutdown', session: 6, note: 'duplicate-will' },
    { name: 'will of a session whose birth was missed', cur: on(6), msg: st(death(7)), apply: true, liveness: 'offline', reason: 'will', session: 7, note: 'will' },
    { name: 'will of a kiosk never seen', cur: UNKNOWN, msg: st(death(2)), apply: true, liveness: 'offline', reason: 'will', session: 2, note: 'will' },
    { name: 'will after missed heartbeats names the cause', cur: off(6, 'missed-heartbeats'), msg: st(death(6)), apply: true, liveness: 'offline', reason: 'will', session: 6, note: 'will' },
  ];
  for (const c of cases) {
    const d = onStatus(c.cur, c.msg, NOW);
    t.same(
      { apply: d.apply, liveness: d.next.liveness, reason: d.next.reason, session: d.next.session, note: d.note },
      { apply: c.apply, liveness: c.liveness, reason: c.reason, session: c.session, note: c.note },
      c.name,
    );
  }
  const b = onStatus(UNKNOWN, st(birth(1, { heartbeatSec: 15 })), NOW);
  t.equal(b.next.heartbeatSec, 15, 'a birth carries the heartbeat interval');
  t.equal(b.next.lastBeatAt, NOW, 'a birth starts the heartbeat window');
  t.equal(b.next.livenessSince, NOW);
  t.end();
});

t.test('heartbeat decisions', (t) => {
  const cases: { name: string; cur: LivenessView; apply: boolean; liveness: string; reason: string; note: string }[] = [
    { name: 'online stays online', cur: on(1), apply: true, liveness: 'online', reason: 'birth', note: 'heartbeat' },
    { name: 'quiet kiosk comes back', cur: off(1, 'missed-heartbeats'), apply: true, liveness: 'online', reason: 'heartbeat', note: 'heartbeats-resumed' },
    { name: 'unknown kiosk is online on its first heartbeat', cur: UNKNOWN, apply: true, liveness: 'online', reason: 'heartbeat', note: 'first-heartbeat' },
    { name: 'ended session needs a birth', cur: off(1, 'will'), apply: false, liveness: 'offline', reason: 'will', note: 'heartbeat-after-death' },
    { name: 'shut down kiosk needs a birth', cur: off(1, 'shutdown'), apply: false, liveness: 'offline', reason: 'shutdown', note: 'heartbeat-after-death' },
  ];
  for (const c of cases) {
    const d = onHeartbeat(c.cur, NOW);
    t.same({ apply: d.apply, liveness: d.next.liveness, reason: d.next.reason, note: d.note }, { apply: c.apply, liveness: c.liveness, reason: c.reason, note: c.note }, c.name);
    if (d.apply) t.equal(d.next.lastBeatAt, NOW, `${c.name}: window restarts`);
  }
  t.end();
});

t.test('missed heartbeats: misses × heartbeatSec from the last beat', (t) => {
  const cur = on(1, { heartbeatSec: 10, lastBeatAt: NOW });
  const cases: { name: string; cur: LivenessView; at: number; misses: number; notBefore?: number; apply: boolean; note: string }[] = [
    { name: 'inside the window', cur, at: NOW + 29_999, misses: 3, apply: false, note: 'in-time' },
    { name: 'exactly at the window', cur, at: NOW + 30_000, misses: 3, apply: false, note: 'in-time' },
    { name: 'past the window', cur, at: NOW + 30_001, misses: 3, apply: true, note: 'missed-heartbeats' },
    { name: 'one miss allowed', cur, at: NOW + 10_001, misses: 1, apply: true, note: 'missed-heartbeats' },
    { name: 'default interval when no birth told one', cur: on(1, { heartbeatSec: null, lastBeatAt: NOW }), at: NOW + 180_000, misses: 3, apply: false, note: 'in-time' },
    { name: 'default interval, past', cur: on(1, { heartbeatSec: null, lastBeatAt: NOW }), at: NOW + 180_001, misses: 3, apply: true, note: 'missed-heartbeats' },
    { name: 'silence before the monitor started does not count', cur, at: NOW + 50_000, misses: 3, notBefore: NOW + 20_000, apply: false, note: 'in-time' },
    { name: 'silence after the monitor started does', cur, at: NOW + 50_001, misses: 3, notBefore: NOW + 20_000, apply: true, note: 'missed-heartbeats' },
    { name: 'offline is left alone', cur: off(1, 'will'), at: NOW + 1e9, misses: 3, apply: false, note: 'not-online' },
    { name: 'unknown is left alone', cur: UNKNOWN, at: NOW + 1e9, misses: 3, apply: false, note: 'not-online' },
  ];
  for (const c of cases) {
    const d = onTick(c.cur, c.at, c.misses, 60, c.notBefore);
    t.same({ apply: d.apply, note: d.note }, { apply: c.apply, note: c.note }, c.name);
    if (d.apply) t.same([d.next.liveness, d.next.reason, d.next.session], ['offline', 'missed-heartbeats', c.cur.session], `${c.name}: state`);
  }
  t.end();
});

t.test('births and wills give the same result in every arrival order', (t) => {
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  const scenarios: { msgs: Record<string, unknown>[]; expect: [string, number] }[] = [
    { msgs: [birth(5), death(5), birth(6)], expect: ['online', 6] },
    { msgs: [birth(5), death(5)], expect: ['offline', 5] },
    { msgs: [birth(5), death(5), birth(6), death(6, 'shutdown')], expect: ['offline', 6] },
    { msgs: [birth(5), birth(6), birth(7), death(5), death(6)], expect: ['online', 7] },
  ];
  for (const s of scenarios) {
    for (const order of permutations(s.msgs)) {
      const end = order.reduce<LivenessView>((cur, m) => onStatus(cur, st(m), NOW).next, UNKNOWN);
      t.same([end.liveness, end.session], s.expect, order.map((m) => `${m.state === 'online' ? 'birth' : 'death'}${String(m.session)}`).join(' '));
    }
  }
  t.end();
});
