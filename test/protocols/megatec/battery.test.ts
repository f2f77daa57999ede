/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { detectPacks, estimateCharge, limitsFromNominal } from '../../../protocols/megatec/index.js';

const near = (t: { ok: (v: boolean, m: string) => void }, a: number, b: number, msg: string): void => {
  t.ok(Math.abs(a - b) < 1e-9, `${msg}: ${a} ≈ ${b}`);
};

t.test('limits from nominal (104/120, 130/120)', async (t) => {
  const l12 = limitsFromNominal(12);
  near(t, l12.low, 10.4, '12 V low');
  near(t, l12.high, 13, '12 V high');
  const l24 = limitsFromNominal(24);
  near(t, l24.low, 20.8, '24 V low');
  near(t, l24.high, 26, '24 V high');
});

t.test('pack autodetect', async (t) => {
  t.equal(detectPacks(2.27, 24), 12, 'reference example: 24 V, 2.27 V/cell → 12');
  t.equal(detectPacks(13.5, 12), 1, 'standby unit reports the whole pack');
  t.equal(detectPacks(2.05, 12), 6, 'per-cell on a 12 V unit');
  t.equal(detectPacks(27.5, 24), 1);
  t.equal(detectPacks(20, 12), 0.5, 'reading is double the nominal');
  t.equal(detectPacks(9, 12), null, '9 V on 12 V: below 0.8·nominal, gives up');
  t.equal(detectPacks(0, 12), null);
  t.equal(detectPacks(13, 0), null);
});

t.test('charge estimate', async (t) => {
  t.same(estimateCharge(12.2, { voltageNominal: 12 })?.chargePct, 69, 'reference example 12.2 V → 69 %');
  t.same(estimateCharge(2.26, { voltageNominal: 12 })?.packs, 6);
  t.same(estimateCharge(2.27, { voltageNominal: 24 })?.chargePct, 100, '27.24 V on 24 V → clamped 100');
  t.same(estimateCharge(9.0, { voltageNominal: 12 }), null, 'autodetect gives up (9 V < 0.8·12)');
  t.same(estimateCharge(10.0, { voltageNominal: 12, packs: 1 })?.chargePct, 0, 'forced packs, clamped at 0');
  t.same(estimateCharge(12.0, { voltageLow: 11, voltageHigh: 13 })?.chargePct, 50, 'configured limits, no nominal');
  t.same(estimateCharge(2.0, { voltageLow: 10.5, voltageHigh: 13, packs: 6 })?.chargePct, 60, 'configured limits and packs');
  t.equal(estimateCharge(null, { voltageNominal: 12 }), null);
  t.equal(estimateCharge(12, {}), null, 'nothing known');
  t.equal(estimateCharge(12, { voltageLow: 13, voltageHigh: 11 }), null, 'inverted limits');
  t.equal(estimateCharge(Number.NaN, { voltageNominal: 12 }), null);
});
