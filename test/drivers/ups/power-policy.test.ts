/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { DEFAULT_POWER_POLICY, PowerPolicy, type PolicyEffect, type PolicyInput, type PowerPolicyConfig } from '../../../drivers/ups/power-policy.js';
import type { UpsState } from '../../../drivers/ups/state.js';
import { FSD, OB, OB_LB, OB_SHORT, OL, WAIT } from '../../fixtures/ups/state.js';

type Row = [at: number, input: UpsState | 'fail' | 'tick', expect: string[]];

/** Effects as short strings: "power.lost", "shutdown:low_battery". */
const show = (fx: PolicyEffect[]): string[] => fx.map((f) => (f.kind === 'event' ? f.event.type : `shutdown:${f.decision.reason}`));

function run(rows: Row[], cfg: Partial<PowerPolicyConfig> = {}): { policy: PowerPolicy; got: string[][]; effects: PolicyEffect[][] } {
  const policy = new PowerPolicy({ ...DEFAULT_POWER_POLICY, debounceMs: 1000, staleAfterMs: 6000, ...cfg }, 0);
  const got: string[][] = [];
  const effects: PolicyEffect[][] = [];
  for (const [at, what] of rows) {
    const input: PolicyInput = what === 'fail' ? { kind: 'failure', at, error: 'UPS_TIMEOUT' } : what === 'tick' ? { kind: 'tick', at } : { kind: 'reading', at, ups: { ...what, at } };
    const fx = policy.feed(input);
    effects.push(fx);
    got.push(show(fx));
  }
  return { policy, got, effects };
}

const table: { name: string; cfg?: Partial<PowerPolicyConfig>; rows: Row[] }[] = [
  {
    name: 'outage OL → OB → OB LB → OL, polled every 2 s',
    rows: [
      [0, OL, []],
      [2000, OB, []],
      [4000, OB, ['power.lost']],
      [6000, OB_LB, []],
      [8000, OB_LB, ['battery.low', 'shutdown:low_battery']],
      [10000, OB_LB, []],
      [12000, OL, []],
      [14000, OL, ['power.restored']],
    ],
  },
  {
    name: 'mains fails with LB already set: both confirm on the same reading',
    rows: [
      [0, OL, []],
      [2000, OB_LB, []],
      [4000, OB_LB, ['power.lost', 'battery.low', 'shutdown:low_battery']],
    ],
  },
  {
    name: 'a one-poll flap is debounced away',
    rows: [
      [0, OL, []],
      [2000, OB, []],
      [4000, OL, []],
      [6000, OL, []],
      [8000, OB_LB, []],
      [10000, OL, []],
    ],
  },
  {
    name: 'debounce 0 reacts on the first reading',
    cfg: { debounceMs: 0 },
    rows: [
      [0, OL, []],
      [1000, OB, ['power.lost']],
      [2000, OB_LB, ['battery.low', 'shutdown:low_battery']],
      [3000, OL, ['power.restored']],
    ],
  },
  {
    name: 'starting on battery reports power.lost at once',
    rows: [
      [0, OB, ['power.lost']],
      [2000, OL, []],
      [4000, OL, ['power.restored']],
    ],
  },
  {
    name: 'runtime under the minimum shuts down without LB',
    cfg: { minRuntimeS: 180 },
    rows: [
      [0, OB, ['power.lost']],
      [2000, OB_SHORT, []],
      [4000, OB_SHORT, ['battery.low', 'shutdown:runtime']],
      [6000, OB_LB, []],
    ],
  },
  {
    name: 'runtime rule off: only LB counts',
    cfg: { minRuntimeS: null },
    rows: [
      [0, OB, ['power.lost']],
      [2000, OB_SHORT, []],
      [4000, OB_SHORT, []],
    ],
  },
  {
    name: 'charge under the minimum',
    cfg: { minChargePct: 40, minRuntimeS: null },
    rows: [
      [0, OB, ['power.lost']],
      [2000, OB_SHORT, []],
      [3000, OB_SHORT, ['battery.low', 'shutdown:charge']],
    ],
  },
  {
    name: 'LB on mains is not critical (upsmon)',
    rows: [
      [0, OL, []],
      [2000, { ...OL, lowBattery: true }, []],
      [4000, { ...OL, lowBattery: true }, []],
    ],
  },
  {
    name: 'FSD is critical even on mains',
    rows: [
      [0, OL, []],
      [2000, FSD, []],
      [4000, FSD, ['battery.low', 'shutdown:forced_shutdown']],
    ],
  },
  {
    name: 'source goes silent on mains: comm lost after staleAfterMs, restored on next reading',
    rows: [
      [0, OL, []],
      [2000, 'fail', []],
      [4000, 'fail', []],
      [6000, 'fail', ['ups.comm_lost']],
      [8000, 'fail', []],
      [10000, OL, ['ups.comm_restored']],
      [12000, OL, []],
    ],
  },
  {
    name: 'silent while on battery is critical (upsmon DEADTIME rule)',
    rows: [
      [0, OB, ['power.lost']],
      [3000, 'tick', []],
      [6000, 'tick', ['ups.comm_lost', 'battery.low', 'shutdown:comm_lost_on_battery']],
      [8000, OL, ['ups.comm_restored']],
      [10000, OL, ['power.restored']],
    ],
  },
  {
    name: 'silent on battery, rule disabled',
    cfg: { shutdownOnCommLostOnBattery: false },
    rows: [
      [0, OB, ['power.lost']],
      [6000, 'fail', ['ups.comm_lost']],
    ],
  },
  {
    name: 'never reachable: comm lost counted from start',
    rows: [
      [2000, 'fail', []],
      [6000, 'fail', ['ups.comm_lost']],
      [7000, OL, ['ups.comm_restored']],
    ],
  },
  {
    name: 'WAIT (no OL/OB) does not change the line',
    rows: [
      [0, WAIT, []],
      [2000, OL, []],
      [4000, WAIT, []],
      [6000, WAIT, []],
    ],
  },
  {
    name: 'shutdown is latched: a second outage does not decide again',
    cfg: { debounceMs: 0 },
    rows: [
      [0, OB_LB, ['power.lost', 'battery.low', 'shutdown:low_battery']],
      [1000, OL, ['power.restored']],
      [2000, OB_LB, ['power.lost', 'battery.low']],
    ],
  },
];

for (const row of table) {
  t.test(row.name, async (t) => {
    const { got } = run(row.rows, row.cfg);
    t.same(got, row.rows.map((r) => r[2]));
  });
}

t.test('event data', async (t) => {
  const { effects, policy } = run([
    [0, OL, []],
    [2000, OB, []],
    [4000, OB, []],
    [6000, OB_LB, []],
    [8000, OB_LB, []],
    [20000, OL, []],
    [22000, OL, []],
  ]);
  const lost = effects[2]![0]!;
  t.same(lost, { kind: 'event', event: { type: 'power.lost', severity: 'warning', at: 4000, data: { chargePct: 60, runtimeS: 600, inputVoltage: 0 } } });
  t.same(effects[4]![1], { kind: 'shutdown', decision: { reason: 'low_battery', at: 8000, chargePct: 10, runtimeS: 400 } });
  t.same(effects[6]![0], { kind: 'event', event: { type: 'power.restored', severity: 'info', at: 22000, data: { onBatteryMs: 18000, chargePct: 100 } } });
  t.equal(policy.state.shutdown?.reason, 'low_battery');
  t.equal(policy.state.line, 'mains');
  const silent = run([
    [0, OL, []],
    [1000, 'fail', []],
    [7000, 'fail', []],
    [9000, OL, []],
  ]);
  t.same(silent.effects[2]![0], { kind: 'event', event: { type: 'ups.comm_lost', severity: 'warning', at: 7000, data: { lastSeenAgoMs: 7000, error: 'UPS_TIMEOUT', line: 'mains' } } });
  t.same(silent.effects[3]![0], { kind: 'event', event: { type: 'ups.comm_restored', severity: 'info', at: 9000, data: { downMs: 2000 } } });
});
