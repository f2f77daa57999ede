/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { MegatecErrorCode, parseQ1, q1StatusTokens, regulationMode } from '../../../protocols/megatec/index.js';
import { Q1_VECTORS } from '../../fixtures/ups/megatec-vectors.js';

t.test('every reference Q1 vector parses to the documented state', async (t) => {
  for (const v of Q1_VECTORS) {
    for (const suffix of ['', '\r']) {
      const r = parseQ1(v.reply + suffix);
      t.ok(r.ok, `${v.origin} parses`);
      if (!r.ok) continue;
      t.same(q1StatusTokens(r.value), v.tokens, `${v.origin} status tokens`);
      t.equal(r.value.bits.standbyType, v.standby, `${v.origin} ups type`);
      t.equal(r.value.bits.beeperOn, v.beeper, `${v.origin} beeper`);
      t.equal(r.value.rawBits, v.reply.slice(-8));
    }
  }
});

t.test('fields are decoded by position', async (t) => {
  const r = parseQ1('(242.6 242.4 239.7 018 50.0 2.26 28.8 00000001');
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(
    { ...r.value, bits: undefined },
    { inputVoltage: 242.6, inputFaultVoltage: 242.4, outputVoltage: 239.7, loadPct: 18, frequencyHz: 50, batteryVoltage: 2.26, temperatureC: 28.8, bits: undefined, rawBits: '00000001' },
  );
});

t.test('placeholders become unknown, not a failure', async (t) => {
  const dash = parseQ1('(244.3 000.0 244.3 001 50.1 13.7 --.- 00001001');
  t.ok(dash.ok && dash.value.temperatureC === null, 'Voltronic/#2958 --.- temperature');
  const at = parseQ1('(230.0 @@@.@ 230.0 @@@ 50.0 13.5 @@.@ 00001000');
  t.ok(at.ok, 'spec @ placeholders');
  if (at.ok) {
    t.equal(at.value.inputFaultVoltage, null);
    t.equal(at.value.loadPct, null);
    t.equal(at.value.temperatureC, null);
    t.equal(at.value.inputVoltage, 230);
  }
  const hash = parseQ1('(230.0 ##### 230.0 010 50.0 13.5 ---.- 00001000');
  t.ok(hash.ok && hash.value.inputFaultVoltage === null, 'Voltronic-QS # padding');
});

t.test('tolerant of extra whitespace and junk after the CR', async (t) => {
  const r = parseQ1('(227.2  227.6 227.6 013 50.1 13.5 25.0 00001001 \r 32 37 33');
  t.ok(r.ok);
  const nul = parseQ1('(242.6 242.4 239.7 018 50.0 2.26 28.8 00000001\r\x00\x00');
  t.ok(nul.ok, 'HID zero padding after CR');
});

t.test('negative replies and garbage never throw and carry stable codes', async (t) => {
  const cases: [string, string][] = [
    ['', MegatecErrorCode.Empty],
    ['\r', MegatecErrorCode.Empty],
    ['   ', MegatecErrorCode.Empty],
    ['\x00\x00\x00', MegatecErrorCode.Empty],
    ['(NAK', MegatecErrorCode.Nak],
    ['NAK', MegatecErrorCode.Nak],
    ['N', MegatecErrorCode.Nak],
    ['Q1', MegatecErrorCode.Echo],
    ['Q1\r', MegatecErrorCode.Echo],
    ['UPS No Ack', MegatecErrorCode.NoAck],
    ['#220.0 000 024.0 50.0', MegatecErrorCode.BadPrefix],
    ['\xff\xfe\x13garbage', MegatecErrorCode.BadPrefix],
    ['(242.6 242.4 239.7 018 50.0 2.26 28.8 0000000', MegatecErrorCode.BadStatusBits],
    ['(242.6 242.4 239.7 018 50.0 2.26 28.8 00000002', MegatecErrorCode.BadStatusBits],
    ['(242.6 242.4 239.7 018 50.0 2.26 28.8', MegatecErrorCode.BadStatusBits],
    ['(242.6 242.4 018 50.0 2.26 28.8 00000001', MegatecErrorCode.BadFieldCount],
    ['(', MegatecErrorCode.BadStatusBits],
    ['(ACK', MegatecErrorCode.BadStatusBits],
  ];
  for (const [reply, code] of cases) {
    const r = parseQ1(reply);
    t.notOk(r.ok, JSON.stringify(reply));
    if (!r.ok) t.equal(r.error.code, code, JSON.stringify(reply));
  }
  // random bytes: never throws
  let seed = 42;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 500; i++) {
    const s = String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 60) }, () => Math.floor(rnd() * 256)));
    t.doesNotThrow(() => parseQ1(s));
  }
});

t.test('b5 decided from the voltage ratio as NUT does', async (t) => {
  const bits = { bypassBoostBuck: true } as Parameters<typeof regulationMode>[0]['bits'];
  t.equal(regulationMode({ inputVoltage: 230, outputVoltage: 100, bits }), null, 'vo < 0.5 vi rejected');
  t.equal(regulationMode({ inputVoltage: 250, outputVoltage: 230, bits }), 'TRIM');
  t.equal(regulationMode({ inputVoltage: 230, outputVoltage: 230, bits }), 'BYPASS');
  t.equal(regulationMode({ inputVoltage: 190, outputVoltage: 230, bits }), 'BOOST');
  t.equal(regulationMode({ inputVoltage: 100, outputVoltage: 230, bits }), null, 'vo ≥ 1.5 vi rejected');
  t.equal(regulationMode({ inputVoltage: 0, outputVoltage: 230, bits }), null, 'no input voltage');
  t.equal(regulationMode({ inputVoltage: null, outputVoltage: 230, bits }), null);
});

t.test('ignoresab drops FSD', async (t) => {
  const r = parseQ1('(230.0 230.0 230.0 010 50.0 13.0 30.0 00001010');
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(q1StatusTokens(r.value), ['OL', 'FSD']);
  t.same(q1StatusTokens(r.value, { ignoreShutdownBit: true }), ['OL']);
});
