import t from 'tap';
import { KeyedQueue, RateLimiter } from '../../fleet/queue.js';

t.test('KeyedQueue: in order per key, keys in parallel, a failure does not block the key', async (t) => {
  const q = new KeyedQueue();
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a1 = q.run('A', async () => {
    await gate;
    order.push('A1');
  });
  const a2 = q.run('A', () => {
    order.push('A2');
    return Promise.reject(new Error('A2 failed'));
  });
  const a3 = q.run('A', () => {
    order.push('A3');
    return Promise.resolve(3);
  });
  await q.run('B', () => {
    order.push('B1');
    return Promise.resolve();
  });
  t.same(order, ['B1'], 'B is not held up by A');
  release();
  await a1;
  await t.rejects(a2, /A2 failed/);
  t.equal(await a3, 3);
  t.same(order, ['B1', 'A1', 'A2', 'A3']);
  await q.idle();
  t.equal(q.size, 0, 'idle keys are forgotten');
});

t.test('RateLimiter: first through, then one per interval with the count held back; bounded', (t) => {
  let now = 0;
  const r = new RateLimiter(1000, () => now, 3);
  t.same(r.take('k'), { pass: true, suppressed: 0 });
  t.same(r.take('k'), { pass: false, suppressed: 1 });
  t.same(r.take('k'), { pass: false, suppressed: 2 });
  t.same(r.take('other'), { pass: true, suppressed: 0 }, 'per key');
  now = 1000;
  t.same(r.take('k'), { pass: true, suppressed: 2 });
  for (let i = 0; i < 100; i++) r.take(`flood-${i}`);
  t.ok((r as unknown as { seen: Map<string, unknown> }).seen.size <= 3, 'a flood of keys does not grow the map');
  t.end();
});
