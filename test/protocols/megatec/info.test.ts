/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { MegatecErrorCode, parseF, parseI } from '../../../protocols/megatec/index.js';
import { F_VECTORS, I_VECTORS } from '../../fixtures/ups/megatec-vectors.js';

t.test('F vectors', async (t) => {
  for (const v of F_VECTORS) {
    const r = parseF(v.reply + '\r');
    t.ok(r.ok, v.reply);
    if (r.ok) t.same(r.value, { voltage: v.voltage, current: v.current, batteryVoltage: v.battery, frequencyHz: v.freq }, v.reply);
  }
});

t.test('I vectors (NUT 2.8.0 columns, trimmed, dashes = unavailable)', async (t) => {
  for (const v of I_VECTORS) {
    const r = parseI(v.reply + '\r');
    t.ok(r.ok, v.reply);
    if (r.ok) t.same(r.value, { manufacturer: v.manufacturer, model: v.model, firmware: v.firmware }, v.reply);
  }
  const short = parseI('#ACME');
  t.ok(short.ok && short.value.manufacturer === 'ACME' && short.value.model === null, 'short reply tolerated');
});

t.test('F and I failures', async (t) => {
  const cases: [ReturnType<typeof parseF>, string][] = [
    [parseF(''), MegatecErrorCode.Empty],
    [parseF('F'), MegatecErrorCode.Echo],
    [parseF('(NAK'), MegatecErrorCode.Nak],
    [parseF('(220.0 000 024.0 50.0'), MegatecErrorCode.BadPrefix],
    [parseF('#220.0 000 024.0'), MegatecErrorCode.BadFieldCount],
  ];
  for (const [r, code] of cases) t.ok(!r.ok && r.error.code === code, code);
  const i = [parseI('I'), parseI('UPS No Ack'), parseI('(230.0'), parseI('')];
  t.same(
    i.map((r) => (r.ok ? 'ok' : r.error.code)),
    [MegatecErrorCode.Echo, MegatecErrorCode.NoAck, MegatecErrorCode.BadPrefix, MegatecErrorCode.Empty],
  );
  const partial = parseF('#220.0 @@@ 024.0 --.-');
  t.ok(partial.ok && partial.value.current === null && partial.value.frequencyHz === null);
});
