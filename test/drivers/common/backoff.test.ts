import t from 'tap';
import { Backoff } from '../../../drivers/common/backoff.js';
import { recordingLogger, silentLogger } from '../../../drivers/common/logger.js';

t.test('the window doubles from base up to the cap, and reset starts over', (t) => {
  const b = new Backoff({ baseMs: 1000, capMs: 30_000, random: () => 0.999999 });
  const delays = Array.from({ length: 8 }, () => b.next());
  t.same(delays, [999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
  t.equal(b.attempt, 8);
  b.reset();
  t.equal(b.window(), 1000);
  t.equal(b.next(), 999);
  t.end();
});

t.test('full jitter: a delay anywhere from 0 to the window', (t) => {
  t.equal(new Backoff({ baseMs: 1000, capMs: 8000, random: () => 0 }).next(), 0);
  const b = new Backoff({ baseMs: 100, capMs: 100_000 });
  for (let i = 0; i < 200; i++) {
    const w = b.window();
    const d = b.next();
    t.ok(d >= 0 && d < w, `attempt ${i}: ${d} in [0, ${w})`);
    if (i === 20) b.reset();
  }
  t.end();
});

t.test('a thousand kiosks back from the same outage spread over the window', (t) => {
  // Each kiosk at its 6th attempt (window 32 s with a 1 s base): how many try in the same second?
  const perSecond = new Map<number, number>();
  for (let k = 0; k < 1000; k++) {
    const b = new Backoff({ baseMs: 1000, capMs: 300_000 });
    for (let i = 0; i < 5; i++) b.next();
    const s = Math.floor(b.next() / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  const busiest = Math.max(...perSecond.values());
  t.ok(perSecond.size >= 30, `spread over ${perSecond.size} distinct seconds`);
  t.ok(busiest < 80, `at most ${busiest} of 1000 in the busiest second (a fixed period would put all 1000 in one)`);
  t.end();
});

t.test('bad bounds are refused; the exponent cannot overflow', (t) => {
  t.throws(() => new Backoff({ baseMs: 0, capMs: 10 }), RangeError);
  t.throws(() => new Backoff({ baseMs: 100, capMs: 10 }), RangeError);
  const b = new Backoff({ baseMs: 1, capMs: 5000, random: () => 0.5 });
  for (let i = 0; i < 2000; i++) b.next();
  t.equal(b.window(), 5000);
  t.equal(b.next(), 2500);
  t.end();
});

t.test('loggers: silent drops, recording keeps records with bindings', (t) => {
  silentLogger.child({ a: 1 }).warn({ x: 1 }, 'nothing');
  const log = recordingLogger();
  log.child({ ns: 'kiosk:test' }).warn({ x: 1 }, 'kept');
  t.match(log.records, [{ level: 'warn', msg: 'kept', obj: { x: 1 }, bindings: { ns: 'kiosk:test' } }]);
  t.end();
});
