/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { parseNutTarget } from '../../../drivers/ups/nut-source.js';
import { stateFromNutVars, stateFromQ1, summary } from '../../../drivers/ups/state.js';
import { parseQ1 } from '../../../protocols/megatec/index.js';

t.test('NUT variables → normalised state', async (t) => {
  const vars = new Map([
    ['ups.status', 'OB DISCHRG LB'],
    ['battery.charge', '12'],
    ['battery.runtime', '240'],
    ['input.voltage', '0.0'],
    ['output.voltage', '230.0'],
    ['ups.load', '23'],
    ['device.mfr', 'American Power Conversion'],
    ['device.model', 'Back-UPS BX950MI'],
    ['ups.firmware', '295202G -302202G '],
  ]);
  const { state, waiting } = stateFromNutVars(vars, 5);
  t.notOk(waiting);
  t.match(state, { backend: 'nut', at: 5, onBattery: true, onMains: false, lowBattery: true, chargePct: 12, runtimeS: 240, inputVoltage: 0, loadPct: 23, model: 'Back-UPS BX950MI', temperatureC: null, chargeEstimated: false, fault: false });
  t.same(state.status, ['OB', 'DISCHRG', 'LB']);
  t.ok(stateFromNutVars(new Map([['ups.status', 'WAIT']]), 0).waiting);
  t.ok(stateFromNutVars(new Map(), 0).waiting, 'no status at all');
  const alarm = stateFromNutVars(new Map([['ups.status', 'OL ALARM'], ['ups.alarm', 'Replace battery!'], ['battery.charge', 'n/a']]), 0).state;
  t.ok(alarm.fault);
  t.equal(alarm.alarm, 'Replace battery!');
  t.equal(alarm.chargePct, null, 'non-numeric value → unknown');
  const fsd = stateFromNutVars(new Map([['ups.status', 'FSD OL']]), 0).state;
  t.ok(fsd.shutdownPending && fsd.onMains);
});

t.test('Q1 → normalised state, charge estimated from F nominal or configured limits', async (t) => {
  const q = parseQ1('(000.0 000.0 229.6 030 49.9 2.03 30.0 10001000');
  t.ok(q.ok);
  if (!q.ok) return;
  const s = stateFromQ1(q.value, { backend: 'megatec-serial', rating: { voltage: 230, current: 4, batteryVoltage: 12, frequencyHz: 50 }, battery: {} }, 9);
  t.match(s, { onBattery: true, onMains: false, chargePct: 68, chargeEstimated: true, runtimeS: null, at: 9, backend: 'megatec-serial' });
  const none = stateFromQ1(q.value, { backend: 'megatec-hid', battery: {} }, 0);
  t.equal(none.chargePct, null, 'no nominal, no limits → unknown');
  t.notOk(none.chargeEstimated);
  const cfg = stateFromQ1(q.value, { backend: 'megatec-hid', battery: { voltageLow: 10.4, voltageHigh: 13, packs: 6 } }, 0);
  t.equal(cfg.chargePct, 68, "6 × 2.03 V = 12.18 V → 68 %");
  const sab = parseQ1('(230.0 230.0 230.0 010 50.0 13.0 30.0 00001010');
  t.ok(sab.ok && stateFromQ1(sab.value, { backend: 'megatec-hid', battery: {} }, 0).shutdownPending);
  t.ok(sab.ok && !stateFromQ1(sab.value, { backend: 'megatec-hid', battery: {}, ignoreShutdownBit: true }, 0).shutdownPending, 'ignoresab');
});

t.test('summary and NUT targets', async (t) => {
  const { state } = stateFromNutVars(new Map([['ups.status', 'OB'], ['battery.charge', '62'], ['battery.runtime', '540.4']]), 0);
  t.equal(summary(state), 'ups:OB 62% 540s');
  t.equal(summary(null), 'ups:comm-lost');
  t.equal(summary(state, true), 'ups:comm-lost');
  t.same(parseNutTarget('ups@127.0.0.1:3493'), { ups: 'ups', host: '127.0.0.1', port: 3493 });
  t.same(parseNutTarget('kiosk'), { ups: 'kiosk', host: '127.0.0.1', port: 3493 });
  t.same(parseNutTarget('k@host'), { ups: 'k', host: 'host', port: 3493 });
  t.same(parseNutTarget('k@[::1]:3494'), { ups: 'k', host: '::1', port: 3494 });
});
