/**
 * The simulator's Q1 replies read back through the protocol parser: the two share the field and
 * bit order (protocols/megatec/q1.ts `Q1_BITS`), so a reply the simulator writes says what its
 * state says, bit by bit.
 */
import t from 'tap';
import { parseQ1, Q1_BITS } from '../../../protocols/megatec/index.js';
import { formatQ1, SIM_LOW_BATTERY, SIM_ON_BATTERY, SIM_ONLINE, type SimState } from '../../../drivers/ups/megatec-sim.js';

t.test('each status bit set alone comes back alone, in its position', (t) => {
  const off = Object.fromEntries(Q1_BITS.map((b) => [b, false])) as Pick<SimState, (typeof Q1_BITS)[number]>;
  // The spec's table (web:protocols/megatec.txt), written out rather than derived from Q1_BITS.
  const expected: Record<(typeof Q1_BITS)[number], string> = {
    utilityFail: '10000000',
    batteryLow: '01000000',
    bypassBoostBuck: '00100000',
    upsFailed: '00010000',
    standbyType: '00001000',
    testInProgress: '00000100',
    shutdownActive: '00000010',
    beeperOn: '00000001',
  };
  for (const name of Q1_BITS) {
    const reply = formatQ1({ ...SIM_ONLINE, ...off, [name]: true });
    t.ok(reply.endsWith(` ${expected[name]}`), `${name} written as ${expected[name]}`);
    const r = parseQ1(`${reply}\r`);
    if (!r.ok) throw r.error;
    t.same(Object.entries(r.value.bits).filter(([, v]) => v).map(([k]) => k), [name], `${name} read back alone`);
  }
  t.end();
});

t.test('readings round-trip, and unknown fields are written as @ and read as unknown', (t) => {
  for (const state of [SIM_ONLINE, { ...SIM_ONLINE, ...SIM_ON_BATTERY }, { ...SIM_ONLINE, ...SIM_LOW_BATTERY }]) {
    const r = parseQ1(`${formatQ1(state)}\r`);
    if (!r.ok) throw r.error;
    t.match(r.value, {
      inputVoltage: state.inputVoltage,
      outputVoltage: state.outputVoltage,
      loadPct: state.loadPct,
      frequencyHz: state.frequencyHz,
      batteryVoltage: state.batteryVoltage,
      temperatureC: state.temperatureC,
      bits: { utilityFail: state.utilityFail, batteryLow: state.batteryLow, beeperOn: state.beeperOn },
    });
  }
  const unknown = formatQ1({ ...SIM_ONLINE, temperatureC: null, batteryVoltage: null });
  t.match(unknown, / @@\.@ @@\.@ /, "battery and temperature as the spec's @ placeholders");
  const r = parseQ1(`${unknown}\r`);
  t.ok(r.ok && r.value.temperatureC === null && r.value.batteryVoltage === null);
  t.end();
});
