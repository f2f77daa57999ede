/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { isCritical, parseUpsStatus } from '../../../protocols/nut/index.js';

t.test('ups.status tokens', async (t) => {
  const ol = parseUpsStatus('OL CHRG');
  t.ok(ol.online && ol.charging && !ol.onBattery);
  const ob = parseUpsStatus('OB DISCHRG');
  t.ok(ob.onBattery && ob.discharging && !ob.lowBattery);
  const lb = parseUpsStatus('OB LB');
  t.ok(lb.onBattery && lb.lowBattery && isCritical(lb));
  t.notOk(isCritical(parseUpsStatus('OL LB')), 'LB while on mains is not critical (upsmon)');
  t.ok(isCritical(parseUpsStatus('FSD OL')), 'FSD latch');
  const odd = parseUpsStatus('  OL  ECO  ALARM WAIT ');
  t.same(odd.tokens, ['OL', 'ECO', 'ALARM', 'WAIT']);
  t.same(odd.unknown, ['ECO'], 'unknown tokens tolerated');
  t.ok(odd.alarm && odd.waiting);
  const all = parseUpsStatus('OL OB LB HB RB CHRG DISCHRG BYPASS CAL OFF OVER TRIM BOOST FSD');
  t.ok(all.highBattery && all.replaceBattery && all.bypass && all.calibrating && all.off && all.overload && all.trim && all.boost && all.forcedShutdown);
  t.same(parseUpsStatus('').tokens, []);
});
