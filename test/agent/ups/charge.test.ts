import t from 'tap';
import { ShownCharge } from '../../../agent/ups/charge.js';

const run = (readings: (number | null)[]): (number | null)[] => {
  const c = new ShownCharge();
  return readings.map((r) => c.next(r));
};

t.test('the first reading and any jump of 2 points or more show at once', (t) => {
  t.same(run([80, 95, 40, 42]), [80, 95, 40, 42]);
  t.end();
});

t.test('a change of one point shows once two readings in a row agree on it', (t) => {
  t.same(run([97, 98, 98, 99, 99, 100, 100]), [97, 97, 98, 98, 99, 99, 100]);
  t.end();
});

t.test('a voltage estimate wobbling between two neighbours does not flip the shown charge', (t) => {
  t.same(run([99, 100, 99, 100, 99, 100]), [99, 99, 99, 99, 99, 99]);
  t.end();
});

t.test('an unknown charge shows as unknown, and the next known one at once', (t) => {
  t.same(run([70, null, 71]), [70, null, 71]);
  t.end();
});
