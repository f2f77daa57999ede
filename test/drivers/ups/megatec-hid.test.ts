/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
/**
 * The megatec-hid shim logic with an injected fake device (no HID hardware here): 8-byte output
 * reports, reading until CR, stale reports drained, junk after CR cut, unplug → reopen.
 */
import t from 'tap';
import { isUpsError, UpsErrorCode } from '../../../drivers/ups/errors.js';
import { nodeHidOpener, openHidLink } from '../../../drivers/ups/megatec-hid.js';
import { MegatecSimulator, SIM_ON_BATTERY } from '../../../drivers/ups/megatec-sim.js';
import { MegatecSource } from '../../../drivers/ups/megatec-source.js';
import { Q1_VECTORS } from '../../fixtures/ups/megatec-vectors.js';
import { FakeClock } from '../../fixtures/ups/fake-clock.js';
import { FakeHidDevice } from '../../fixtures/ups/fake-hid.js';

const Q1_1279 = '(242.6 242.4 239.7 018 50.0 2.26 28.8 00000001';

t.test('command goes out as zero-padded 8-byte reports with report ID 0', async (t) => {
  const sim = new MegatecSimulator({ rawQ1: Q1_1279 });
  const dev = new FakeHidDevice(sim);
  const link = await openHidLink({ open: async () => dev });
  t.equal(await link.query('Q1', 1000), Q1_1279);
  t.same(dev.writes, [[0, 0x51, 0x31, 0x0d, 0, 0, 0, 0, 0]]);
  await link.query('S.5R0003', 1000).catch(() => undefined);
  t.same(dev.writes.slice(1), [
    [0, 0x53, 0x2e, 0x35, 0x52, 0x30, 0x30, 0x30, 0x33],
    [0, 0x0d, 0, 0, 0, 0, 0, 0, 0],
  ], 'a 9-byte command takes two reports');
  t.ok(dev.readTimeouts.includes(1000), 'reply read with the query timeout per report');
});

t.test('reply over 8-byte reports: the #1279 last chunk 30 30 30 30 30 31 0d 00', async (t) => {
  const sim = new MegatecSimulator({ rawQ1: Q1_1279 });
  const dev = new FakeHidDevice(sim);
  const link = await openHidLink({ open: async () => dev });
  await link.query('Q1', 1000);
  // replay to inspect the chunks the fake produced
  dev.inject(`${Q1_1279}\r`);
  const last = dev.queue[dev.queue.length - 1]!;
  t.same([...last], [0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x0d, 0x00]);
});

t.test('stale junk after the CR (#1652) is cut', async (t) => {
  const sim = new MegatecSimulator({ rawQ1: Q1_1279 });
  const dev = new FakeHidDevice(sim);
  dev.pad = [0x20, 0x32, 0x37, 0x33];
  const link = await openHidLink({ open: async () => dev });
  t.equal(await link.query('Q1', 1000), Q1_1279);
});

t.test('stale replies queued in the kernel are drained before the command (#3563, #3282)', async (t) => {
  const sim = new MegatecSimulator({ rawQ1: Q1_1279 });
  const dev = new FakeHidDevice(sim);
  dev.inject('#230.0 004 12.00 50.0\r');
  dev.inject('(000.0 000.0 229.6 030 49.9 11.2 30.0 10001000\r');
  const link = await openHidLink({ open: async () => dev, drainTimeoutMs: 5 });
  t.equal(await link.query('Q1', 1000), Q1_1279, 'the answer to this command, not an old one');
  t.ok(dev.readTimeouts.slice(0, 3).every((x) => x === 5), 'drain reads use the short timeout');
});

t.test('silence → timeout; reply without CR → bad reply; unplug → closed', async (t) => {
  const sim = new MegatecSimulator({ mode: 'silent' });
  const dev = new FakeHidDevice(sim);
  const link = await openHidLink({ open: async () => dev });
  const silent = await link.query('Q1', 1000).catch((e: unknown) => e);
  t.ok(isUpsError(silent) && silent.code === UpsErrorCode.Timeout);

  sim.set({ mode: 'normal' });
  dev.queue.push(...Array.from({ length: 50 }, () => Uint8Array.from([0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41])));
  const endless = await openHidLink({ open: async () => ({ ...dev, read: async () => Uint8Array.from([0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41]), write: async () => 9, close: async () => undefined }) });
  const noCr = await endless.query('Q1', 1000).catch((e: unknown) => e);
  t.ok(isUpsError(noCr) && noCr.code === UpsErrorCode.BadReply, 'never-ending reply is bounded');

  const closed: Error[] = [];
  const dev2 = new FakeHidDevice(sim);
  const link2 = await openHidLink({ open: async () => dev2 });
  link2.onClose((e) => closed.push(e));
  dev2.unplugged = true;
  const gone = await link2.query('Q1', 1000).catch((e: unknown) => e);
  t.ok(isUpsError(gone) && gone.code === UpsErrorCode.ConnectionClosed);
  t.equal(closed.length, 1, 'close reported once');
  const after = await link2.query('Q1', 1000).catch((e: unknown) => e);
  t.ok(isUpsError(after) && after.code === UpsErrorCode.ConnectionClosed);

  const refused = await openHidLink({ open: async () => Promise.reject(new Error('ENOENT')) }).catch((e: unknown) => e);
  t.ok(isUpsError(refused) && refused.code === UpsErrorCode.OpenFailed);
});

t.test('megatec-hid source: vectors, unplug, reopen with backoff', async (t) => {
  const clock = new FakeClock();
  const sim = new MegatecSimulator();
  const devices: FakeHidDevice[] = [];
  let present = true;
  const src = new MegatecSource({
    backend: 'megatec-hid',
    open: () =>
      openHidLink({
        open: async () => {
          if (!present) throw new Error('no such device');
          const d = new FakeHidDevice(sim);
          devices.push(d);
          return d;
        },
      }),
    clock,
    random: () => 0.5,
    reconnectBaseMs: 1000,
    reconnectCapMs: 8000,
  });
  await src.start();
  t.ok(src.connected);
  t.equal(src.vendor?.model, 'LI-1100');
  for (const v of Q1_VECTORS) {
    sim.set({ rawQ1: v.reply });
    t.same((await src.read()).status, v.tokens, v.origin);
  }
  sim.set({ rawQ1: null, ...SIM_ON_BATTERY });
  const ob = await src.read();
  t.ok(ob.onBattery && ob.backend === 'megatec-hid');
  t.equal(ob.at, clock.now(), 'reading stamped with the injected clock');

  // USB re-enumeration on a power transition (reference §2.5): the device vanishes for a while.
  devices[0]!.unplugged = true;
  present = false;
  const e = await src.read().catch((x: unknown) => x);
  t.ok(isUpsError(e) && e.code === UpsErrorCode.ConnectionClosed);
  t.notOk(src.connected);
  const e2 = await src.read().catch((x: unknown) => x);
  t.ok(isUpsError(e2) && e2.code === UpsErrorCode.NotConnected);
  await clock.advance(500);
  t.equal(devices.length, 1, 'first retry failed (still absent)');
  present = true;
  await clock.advance(1000);
  t.equal(devices.length, 2, 'reopened after backoff');
  t.ok(src.connected);
  t.ok((await src.read()).onBattery);
  await src.stop();
  t.ok(devices[1]!.closed);
});

t.test('three garbage polls in a row reopen the device', async (t) => {
  const clock = new FakeClock();
  const sim = new MegatecSimulator({ mode: 'garbage' });
  const devices: FakeHidDevice[] = [];
  const src = new MegatecSource({
    backend: 'megatec-hid',
    open: () => openHidLink({ open: async () => (devices.push(new FakeHidDevice(sim)), devices[devices.length - 1]!) }),
    clock,
    random: () => 0,
    noRating: true,
    noVendor: true,
  });
  await src.start();
  for (let i = 0; i < 3; i++) {
    const e = await src.read().catch((x: unknown) => x);
    t.ok(isUpsError(e) && e.code === UpsErrorCode.BadReply);
  }
  t.ok(devices[0]!.closed, 'closed after the third failure');
  sim.set({ mode: 'normal' });
  await clock.advance(1);
  t.equal(devices.length, 2);
  t.ok((await src.read()).onMains);
  t.same(sim.received.filter((c) => c !== 'Q1'), [], 'norating/novendor: no F or I sent');
  await src.stop();
});

t.test('instant commands: silence or ACK accepted, echo/NAK refused (NUT instcmd rule)', async (t) => {
  const sim = new MegatecSimulator();
  const dev = new FakeHidDevice(sim);
  const src = new MegatecSource({ backend: 'megatec-hid', open: () => openHidLink({ open: async () => dev }), noRating: true, noVendor: true });
  await src.start();
  t.equal(sim.state.beeperOn, true);
  await src.command('beeper.toggle');
  t.equal(sim.state.beeperOn, false, 'Q toggles the beeper');
  await src.command('test.battery.start.quick');
  t.ok(sim.state.testInProgress, 'T starts a test');
  t.ok((await src.read()).test, 'Q1 shows CAL');
  await src.command('test.battery.stop');
  t.notOk(sim.state.testInProgress);
  sim.set({ mode: 'echo' });
  const e = await src.command('test.battery.start.deep').catch((x: unknown) => x);
  t.ok(isUpsError(e) && e.code === UpsErrorCode.Refused, 'echo = not supported');
  sim.set({ mode: 'nak' });
  const n = await src.command('shutdown.stop').catch((x: unknown) => x);
  t.ok(isUpsError(n) && n.code === UpsErrorCode.Refused);
  t.same(sim.received, ['Q', 'T', 'Q1', 'CT', 'TL', 'C']);
  await src.stop();
  const off = await src.command('beeper.toggle').catch((x: unknown) => x);
  t.ok(isUpsError(off) && off.code === UpsErrorCode.NotConnected);
});

t.test('a command and a poll never interleave on the port', async (t) => {
  const sim = new MegatecSimulator();
  const dev = new FakeHidDevice(sim);
  const src = new MegatecSource({ backend: 'megatec-hid', open: () => openHidLink({ open: async () => dev }), noRating: true, noVendor: true });
  await src.start();
  const [r] = await Promise.all([src.read(), src.command('beeper.toggle'), src.read()]);
  t.ok(r.onMains);
  t.same(sim.received, ['Q1', 'Q', 'Q1']);
  await src.stop();
});

t.test('the real node-hid opener loads and reports an absent shim as OPEN_FAILED', async (t) => {
  const e = await openHidLink({ open: nodeHidOpener({ vendorId: 0xdead, productId: 0xbeef }) }).catch((x: unknown) => x);
  t.ok(isUpsError(e) && e.code === UpsErrorCode.OpenFailed, String(e));
});

t.test('simulator battery model: a demo power cut runs down to LB and recovers', async (t) => {
  const sim = new MegatecSimulator();
  sim.set(SIM_ON_BATTERY);
  t.equal(sim.state.batteryVoltage, 12.2);
  sim.advance(60);
  t.equal(sim.state.batteryVoltage, 11.9);
  t.notOk(sim.state.batteryLow);
  sim.advance(240);
  t.equal(sim.state.batteryVoltage, 10.7);
  t.ok(sim.state.batteryLow, 'LB below 10.8 V');
  sim.set({ utilityFail: false, inputVoltage: 230 });
  sim.advance(1000);
  t.equal(sim.state.batteryVoltage, 11.7);
  t.notOk(sim.state.batteryLow);
  sim.advance(1e6);
  t.equal(sim.state.batteryVoltage, 13.6, 'capped at full');
  sim.advance(-5);
  t.equal(sim.state.batteryVoltage, 13.6, 'negative time ignored');
});
