/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { recordingLogger, silentLogger } from '../../../drivers/common/logger.js';
import { UpsError, UpsErrorCode } from '../../../drivers/ups/errors.js';
import { UpsMonitor } from '../../../drivers/ups/monitor.js';
import type { UpsSource } from '../../../drivers/ups/source.js';
import type { UpsState } from '../../../drivers/ups/state.js';
import { UpsConfigSchema, upsHealth } from '../../../drivers/ups/config.js';
import { createUpsMonitor, createUpsSource } from '../../../drivers/ups/create.js';
import { MegatecSimulator } from '../../../drivers/ups/megatec-sim.js';
import { FakeClock, flush } from '../../fixtures/ups/fake-clock.js';
import { FakeHidDevice } from '../../fixtures/ups/fake-hid.js';
import { OB, OB_LB, OL } from '../../fixtures/ups/state.js';

/** A source whose next answers are scripted; `hang` leaves a read pending until released. */
class ScriptedSource implements UpsSource {
  readonly backend = 'nut' as const;
  script: (UpsState | Error | 'hang')[] = [];
  reads = 0;
  release: (() => void) | undefined;
  constructor(private readonly clock: FakeClock) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async command(): Promise<void> {}
  read(): Promise<UpsState> {
    this.reads++;
    const next = this.script.shift() ?? OL;
    if (next === 'hang') return new Promise((_, reject) => (this.release = () => reject(new UpsError(UpsErrorCode.Timeout, 'late'))));
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve({ ...next, at: this.clock.now() });
  }
}

t.test('polls on the interval, feeds the policy, emits readings, events and the shutdown decision', async (t) => {
  const clock = new FakeClock(0);
  const src = new ScriptedSource(clock);
  src.script = [OL, OB, OB, OB_LB, OB_LB, OL, OL];
  const mon = new UpsMonitor({ source: src, clock, pollIntervalMs: 2000, policy: { debounceMs: 1000 } });
  const seen: string[] = [];
  mon.on('reading', (r) => seen.push(`reading:${r.status.join('+')}`));
  mon.on('event', (e) => seen.push(e.type));
  mon.on('shutdown', (d) => seen.push(`shutdown:${d.reason}`));
  await mon.start();
  await clock.advance(12_000);
  t.equal(src.reads, 7);
  t.same(seen.filter((s) => !s.startsWith('reading')), ['power.lost', 'battery.low', 'shutdown:low_battery', 'power.restored']);
  t.same(mon.snapshot.shutdown?.reason, 'low_battery');
  t.equal(mon.snapshot.summary, 'ups:OL 100% 900s');
  await mon.stop();
  await clock.advance(10_000);
  t.equal(src.reads, 7, 'no polls after stop');
});

t.test('a hanging read skips ticks (no overlap) yet silence still becomes comm lost', async (t) => {
  const clock = new FakeClock(0);
  const src = new ScriptedSource(clock);
  src.script = [OL, 'hang'];
  const mon = new UpsMonitor({ source: src, clock, pollIntervalMs: 1000, policy: { staleAfterMs: 5000 } });
  const events: string[] = [];
  mon.on('event', (e) => events.push(e.type));
  await mon.start();
  await clock.advance(6000);
  t.equal(src.reads, 2, 'one read stuck, no overlapping reads');
  t.same(events, ['ups.comm_lost']);
  src.release?.();
  await flush();
  await clock.advance(1000);
  t.same(events, ['ups.comm_lost', 'ups.comm_restored']);
  await mon.stop();
});

t.test('failures log once per outage, then at debug', async (t) => {
  const clock = new FakeClock(0);
  const src = new ScriptedSource(clock);
  const err = new UpsError(UpsErrorCode.NotConnected, 'down');
  src.script = [err, err, err, err, OL];
  const log = recordingLogger();
  const mon = new UpsMonitor({ source: src, clock, pollIntervalMs: 1000, logger: log });
  await mon.start();
  await clock.advance(4500);
  const warns = log.records.filter((r) => r.level === 'warn');
  t.equal(warns.length, 1);
  t.match(warns[0]!.obj, { code: 'UPS_NOT_CONNECTED' });
  t.ok(log.records.some((r) => r.level === 'info' && r.msg === 'UPS readings resumed'));
  t.equal(mon.snapshot.lastError, null);
  await mon.stop();
});

t.test('config schema: defaults, cross-field checks, factory, health', async (t) => {
  const def = UpsConfigSchema.parse({});
  t.equal(def.backend, 'nut');
  t.equal(def.nut.target, 'ups@127.0.0.1:3493');
  t.equal(def.pollIntervalMs, 2000);
  t.same(def.policy, { debounceMs: 1000, staleAfterMs: 15_000, minRuntimeS: 180, minChargePct: null, shutdownOnCommLostOnBattery: true });
  t.same(def.shutdown, { command: ['systemctl', 'poweroff'], dryRun: false, flushTimeoutMs: 5000 });
  t.notOk(UpsConfigSchema.safeParse({ backend: 'megatec-serial' }).success, 'serial path required');
  t.notOk(UpsConfigSchema.safeParse({ pollIntervalMs: 10_000 }).success, 'stale window shorter than two polls');
  t.notOk(UpsConfigSchema.safeParse({ bogus: 1 }).success, 'unknown keys refused');
  const nut = createUpsSource(UpsConfigSchema.parse({ nut: { target: 'kiosk@10.0.0.2:3494' } }), { logger: silentLogger });
  t.equal(nut.backend, 'nut');
  t.match(nut, { ups: 'kiosk', client: { host: '10.0.0.2', port: 3494 } });

  const clock = new FakeClock(0);
  const sim = new MegatecSimulator();
  const mon = createUpsMonitor(UpsConfigSchema.parse({ backend: 'megatec-hid' }), { logger: silentLogger, clock, openHid: async () => new FakeHidDevice(sim) });
  t.same(upsHealth(mon.snapshot), { state: 'absent', detail: 'no reading yet' });
  await mon.start();
  await flush();
  t.same(upsHealth(mon.snapshot), { state: 'ok' });
  sim.set({ utilityFail: true, inputVoltage: 0, batteryVoltage: 12.2 });
  await clock.advance(2000);
  t.same(upsHealth(mon.snapshot), { state: 'degraded', detail: 'on battery 69%' });
  sim.set({ batteryLow: true });
  await clock.advance(2000);
  t.same(upsHealth(mon.snapshot), { state: 'degraded', detail: 'on battery, low 69%' });
  sim.set({ mode: 'silent' });
  await clock.advance(16_000);
  t.match(upsHealth(mon.snapshot), { state: 'disconnected' });
  sim.set({ mode: 'normal', upsFailed: true, batteryLow: false, utilityFail: false });
  await clock.advance(2000);
  t.match(upsHealth(mon.snapshot), { state: 'fault' });
  await mon.stop();
});
