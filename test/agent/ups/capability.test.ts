// The UPS capability on a fake clock: a simulated Megatec unit behind the in-memory HID shim (the
// demo's `simulate.ups`), a real store and outbox, a real registry. Power events reach the outbox
// and pass the contract; the line survives a restart in the kv table; low battery runs the
// shutdown sequence through ctx.requestStop and then the command (recorded in dryRun, run as an
// argument list otherwise).
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentContext } from '../../../agent/context.js';
import { DeviceRegistry } from '../../../agent/devices/registry.js';
import { EventLog } from '../../../agent/outbox/events.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { Store } from '../../../agent/store/db.js';
import { getKv } from '../../../agent/store/kv.js';
import type { CommandOutcome } from '../../../agent/ups/command.js';
import { upsCapability } from '../../../agent/ups/capability.js';
import { SimulatedUpsConfig, type SimulatedUps } from '../../../agent/ups/simulated.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { UpsConfigSchema } from '../../../drivers/ups/config.js';
import { MegatecSimulator, SIM_LOW_BATTERY, SIM_ON_BATTERY, SimulatedHidDevice, type SimState } from '../../../drivers/ups/megatec-sim.js';
import { decodeMessage } from '../../../protocols/telemetry/index.js';
import { FakeClock } from '../../fixtures/ups/fake-clock.js';

const time = { now: () => ({ ts: Date.now(), mono: 5000, boot: 'b', synced: true }) };
const MAINS = { utilityFail: false, batteryLow: false, inputVoltage: 231, inputFaultVoltage: 231, batteryVoltage: 13.4 };

interface World {
  ctx: AgentContext;
  devices: DeviceRegistry;
  outbox: Outbox;
  summaries: (() => string | undefined)[];
  stops: { reason: string; drainMs: number | undefined; then: (() => Promise<void>) | undefined }[];
  /** Every event write the capability started, settled (store I/O runs on real time). */
  events(): Promise<{ type: string; severity: string; data: Record<string, unknown> }[]>;
}

async function world(t: Test, store: Store, ups: unknown, simulate?: unknown): Promise<World> {
  const outbox = await Outbox.open(store, 'RJ-JAI-0001', time, { maxRows: 1000, maxBytes: 1e7 }, silentLogger);
  const events = new EventLog(store, outbox, silentLogger);
  const devices = new DeviceRegistry();
  const summaries: (() => string | undefined)[] = [];
  const stops: World['stops'] = [];
  const tracked: Promise<unknown>[] = [];
  const ctx = {
    loaded: {
      config: {
        devices: ups === undefined ? {} : { ups: UpsConfigSchema.parse(ups) },
        ...(simulate === undefined ? {} : { simulate: { ups: SimulatedUpsConfig.parse(simulate) } }),
      },
    },
    store,
    outbox,
    events,
    devices,
    clock: { info: () => ({ synced: true, source: 'ntp' }) },
    reporter: { addSummary: (f: () => string | undefined) => summaries.push(f) },
    logger: () => silentLogger,
    track: (p: Promise<unknown>) => void tracked.push(p),
    requestStop: (reason: string, opts: { drainMs?: number; then?: () => Promise<void> } = {}) => {
      stops.push({ reason, drainMs: opts.drainMs, then: opts.then });
      return true;
    },
  } as unknown as AgentContext;
  const read = async () => {
    for (let n = -1; n !== tracked.length; ) {
      n = tracked.length;
      await Promise.all(tracked);
    }
    const rows = await outbox.peek(0, 1000);
    const evs = rows.filter((r) => r.channel === 'events');
    for (const r of evs) t.ok(decodeMessage(r.topic, Buffer.from(r.payload)).ok, `contract: ${r.payload.slice(0, 80)}`);
    return evs.map((r) => JSON.parse(r.payload) as { type: string; severity: string; data: Record<string, unknown> });
  };
  return { ctx, devices, outbox, summaries, stops, events: read };
}

const FAST = { backend: 'megatec-hid', pollIntervalMs: 1000, policy: { debounceMs: 500, staleAfterMs: 5000 }, shutdown: { command: ['true'] } };

/** Starts the capability on a simulated unit in the given state (the first poll happens at start). */
async function startCap(w: World, clock: FakeClock, initial: Partial<SimState> = {}) {
  const sim = new MegatecSimulator(initial);
  const running = await upsCapability({ clock, openHid: () => Promise.resolve(new SimulatedHidDevice(sim)) }).start(w.ctx);
  if (!running) throw new Error('capability did not start');
  return { running, sim };
}

/** The same through `simulate.ups`: the capability's own simulated unit. */
async function startSimulated(w: World, clock: FakeClock) {
  let sim: SimulatedUps | undefined;
  const running = await upsCapability({ clock, onStarted: (_m, s) => (sim = s) }).start(w.ctx);
  if (!running || !sim) throw new Error('capability did not start');
  return { running, sim: sim.sim };
}

const types = (evs: { type: string }[]): string[] => evs.map((e) => e.type);

t.test('power cut and return: events in the outbox, state and heartbeat summary follow', async (t) => {
  const store = await Store.open(join(t.testdir({}), 'a.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = new FakeClock(0);
  const w = await world(t, store, FAST);
  const { running, sim } = await startCap(w, clock);
  await clock.advance(1500);
  // The charge on mains too (issue 11), estimated from a Megatec unit's pack voltage.
  t.match(w.devices.snapshot()['ups'], { state: 'ok', backend: 'megatec-hid', line: 'mains', chargePct: Number, chargeEstimated: true });
  t.match(w.summaries[0]!(), /^power:mains \d+%$/);
  t.same(await w.events(), [], 'no event on a normal start');

  sim.set(SIM_ON_BATTERY);
  await clock.advance(2000); // two polls: seen, then confirmed after the debounce
  t.same(types(await w.events()), ['power.lost']);
  t.match((await w.events())[0], { severity: 'warning', data: { chargePct: Number, runtimeS: null, inputVoltage: 0 } });
  t.match(w.devices.snapshot()['ups'], { state: 'degraded', detail: /^on battery \d+%$/, line: 'battery' });
  t.match(w.summaries[0]!(), /^power:battery \d+%$/);
  t.match(JSON.parse((await getKv(store, 'ups.power'))!), { line: 'battery' }, 'the line is kept for a restart');

  sim.set(MAINS);
  await clock.advance(2000);
  const evs = await w.events();
  t.same(types(evs), ['power.lost', 'power.restored']);
  t.match(evs[1], { severity: 'info', data: { onBatteryMs: Number } });
  t.notOk('acrossRestart' in evs[1]!.data);
  t.equal(w.devices.snapshot()['ups']?.state, 'ok');
  t.match(JSON.parse((await getKv(store, 'ups.power'))!), { line: 'mains' });
  await running.stop();
  t.same(w.stops, [], 'no shutdown');
});

t.test('a restart during the same outage does not repeat power.lost; mains back → power.restored across the restart', async (t) => {
  const store = await Store.open(join(t.testdir({}), 'b.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = new FakeClock(0);
  const w1 = await world(t, store, FAST);
  const a = await startCap(w1, clock);
  a.sim.set(SIM_ON_BATTERY);
  await clock.advance(3000);
  t.same(types(await w1.events()), ['power.lost']);
  await a.running.stop();

  // The agent restarts, still on battery (same store: the kv table remembers).
  const w2 = await world(t, store, FAST);
  const b = await startCap(w2, clock, SIM_ON_BATTERY);
  await clock.advance(3000);
  t.same(types(await w2.events()), ['power.lost'], 'still the one power.lost of the first run');
  t.match(w2.devices.snapshot()['ups'], { state: 'degraded', line: 'battery' }, 'state still says on battery');
  b.sim.set(MAINS);
  await clock.advance(2000);
  const evs = await w2.events();
  t.same(types(evs), ['power.lost', 'power.restored']);
  t.match(evs[1]!.data, { acrossRestart: true, onBatteryMs: Number });

  // A later outage in the same run is reported again.
  b.sim.set(SIM_ON_BATTERY);
  await clock.advance(2000);
  b.sim.set(MAINS);
  await clock.advance(2000);
  const later = await w2.events();
  t.same(types(later), ['power.lost', 'power.restored', 'power.lost', 'power.restored']);
  t.notOk('acrossRestart' in later[3]!.data, 'the second outage began in this run');
  await b.running.stop();
});

t.test('a kiosk that went down on battery and boots on mains says power.restored once', async (t) => {
  const store = await Store.open(join(t.testdir({}), 'c.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = new FakeClock(0);
  const w1 = await world(t, store, FAST);
  const a = await startCap(w1, clock);
  a.sim.set(SIM_ON_BATTERY);
  await clock.advance(3000);
  await a.running.stop();
  const w2 = await world(t, store, FAST);
  const b = await startCap(w2, clock);
  await clock.advance(5000);
  const evs = await w2.events();
  t.same(types(evs), ['power.lost', 'power.restored']);
  t.match(evs[1]!.data, { acrossRestart: true });
  await b.running.stop();
});

t.test('low battery: battery.low, agent.shutting_down, the agent stop, then the command — recorded in dryRun', async (t) => {
  const dir = t.testdir({});
  const store = await Store.open(join(dir, 'd.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = new FakeClock(0);
  const recordFile = join(dir, 'shutdown.jsonl');
  const w = await world(t, store, { ...FAST, shutdown: { command: ['systemctl', 'poweroff'], dryRun: true, recordFile, flushTimeoutMs: 2500 } }, undefined);
  const outcomes: CommandOutcome[] = [];
  let opened = 0;
  const sim = new MegatecSimulator();
  const running = await upsCapability({ clock, openHid: () => (opened++, Promise.resolve(new SimulatedHidDevice(sim))), onCommand: (o) => outcomes.push(o) }).start(w.ctx);
  await clock.advance(1500);
  t.equal(opened, 1, 'the configured back-end with the injected device');
  sim.set(SIM_LOW_BATTERY);
  await clock.advance(2000);
  const evs = await w.events();
  t.same(types(evs), ['power.lost', 'battery.low', 'agent.shutting_down'], 'a tired battery: lost and low confirm together');
  t.match(evs[1], { severity: 'critical', data: { reason: 'low_battery' } });
  t.match(evs[2], { severity: 'critical', data: { reason: 'power', cause: 'low_battery', command: ['systemctl', 'poweroff'], dryRun: true } });
  t.equal(w.stops.length, 1, 'the agent is asked to stop once');
  t.match(w.stops[0], { reason: 'power: low_battery', drainMs: 2500 });
  t.same(outcomes, [], 'the command waits for the stop');
  await clock.advance(5000);
  t.equal(w.stops.length, 1, 'decided once');
  await w.stops[0]!.then!();
  t.same(outcomes, [{ ran: false, recorded: true }]);
  const line = JSON.parse(readFileSync(recordFile, 'utf8').trim()) as Record<string, unknown>;
  t.match(line, { command: ['systemctl', 'poweroff'], cause: 'low_battery', dryRun: true });
  await running!.stop();
});

t.test('not in dryRun: the command runs as an argument list, no shell', async (t) => {
  const dir = t.testdir({});
  const store = await Store.open(join(dir, 'e.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = new FakeClock(0);
  // A shell would expand this; an argument list creates a file of exactly this name.
  const target = join(dir, 'powered-off $(id)');
  const w = await world(t, store, { ...FAST, backend: 'megatec-hid', shutdown: { command: ['touch', target] } }, undefined);
  const sim = new MegatecSimulator(SIM_LOW_BATTERY);
  const outcomes: CommandOutcome[] = [];
  const running = await upsCapability({ clock, openHid: () => Promise.resolve(new SimulatedHidDevice(sim)), onCommand: (o) => outcomes.push(o) }).start(w.ctx);
  await clock.advance(2500);
  t.same(types(await w.events()), ['power.lost', 'battery.low', 'agent.shutting_down'], 'booting on a low battery shuts down at once');
  await w.stops[0]!.then!();
  t.same(outcomes, [{ ran: true, code: 0 }]);
  t.ok(existsSync(target), 'the file named literally');
  await running!.stop();
});

t.test('the simulated UPS never runs the command, whatever the file says; the scripted cut comes and goes', async (t) => {
  const store = await Store.open(join(t.testdir({}), 'f.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = new FakeClock(0);
  const w = await world(t, store, { ...FAST, backend: 'nut', shutdown: { command: ['touch', '/nonexistent/x'], dryRun: false } }, { cutAtSec: 4, cutForSec: 6 });
  const { running } = await startSimulated(w, clock);
  await clock.advance(3500);
  t.same(types(await w.events()), []);
  await clock.advance(3000);
  t.same(types(await w.events()), ['power.lost']);
  await clock.advance(6000);
  t.same(types(await w.events()), ['power.lost', 'power.restored']);
  await running.stop();
  // dryRun forced: checked through the config the capability used.
  const low = await world(t, store, { ...FAST, shutdown: { command: ['touch', '/nonexistent/x'], dryRun: false } }, {});
  const c = await startSimulated(low, clock);
  c.sim.set(SIM_LOW_BATTERY);
  await clock.advance(3000);
  const evs = await low.events();
  t.match(evs.at(-1), { type: 'agent.shutting_down', data: { dryRun: true } });
  await c.running.stop();
});

t.test('no devices.ups: nothing runs; enabled false: reported disabled', async (t) => {
  const store = await Store.open(join(t.testdir({}), 'g.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const none = await world(t, store, undefined, undefined);
  t.equal(await upsCapability().start(none.ctx), undefined);
  t.same(none.devices.snapshot(), {});
  t.same(none.summaries, []);
  const off = await world(t, store, { enabled: false }, undefined);
  t.equal(await upsCapability().start(off.ctx), undefined);
  t.match(off.devices.snapshot()['ups'], { state: 'disabled' });
});

t.test('UPS silent → ups.comm_lost once, back → ups.comm_restored; state disconnected meanwhile', async (t) => {
  const store = await Store.open(join(t.testdir({}), 'h.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = new FakeClock(0);
  const w = await world(t, store, FAST);
  const { running, sim } = await startCap(w, clock);
  await clock.advance(1500);
  sim.set({ mode: 'silent' });
  await clock.advance(8000);
  t.same(types(await w.events()), ['ups.comm_lost']);
  t.match((await w.events())[0]!.data, { line: 'mains', error: 'UPS_TIMEOUT', lastSeenAgoMs: Number });
  t.match(w.devices.snapshot()['ups'], { state: 'disconnected' });
  t.same(w.summaries[0]!(), undefined, 'the device entry says it; no power fragment');
  sim.set({ mode: 'normal' });
  await clock.advance(3000);
  t.same(types(await w.events()), ['ups.comm_lost', 'ups.comm_restored']);
  t.equal(w.devices.snapshot()['ups']?.state, 'ok');
  await running.stop();
});
