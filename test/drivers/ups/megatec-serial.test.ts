/**
 * The megatec-serial back-end over a real socat pty pair with the real serialport bindings and the
 * simulator on the far end: reference vectors end to end, misbehaving units, the pty closing and
 * coming back, and an outage through the monitor.
 */
import t from 'tap';
import { isMegatecError, MegatecErrorCode } from '../../../protocols/megatec/index.js';
import { isUpsError, UpsErrorCode } from '../../../drivers/ups/errors.js';
import { MegatecSimulator, serveSerial, SIM_LOW_BATTERY, SIM_ON_BATTERY, SIM_ONLINE } from '../../../drivers/ups/megatec-sim.js';
import { openSerialLink } from '../../../drivers/ups/megatec-serial.js';
import { MegatecSource } from '../../../drivers/ups/megatec-source.js';
import { UpsMonitor } from '../../../drivers/ups/monitor.js';
import type { PowerEvent } from '../../../drivers/ups/power-policy.js';
import { Q1_VECTORS } from '../../fixtures/ups/megatec-vectors.js';
import { PtyPair, socatInstalled } from '../../fixtures/ups/pty.js';
import { waitFor } from '../../fixtures/ups/upsd.js';

if (!socatInstalled()) {
  t.plan(0, 'socat not installed: apt-get install -y socat');
} else {
  const pty = new PtyPair();
  const sim = new MegatecSimulator();
  let server: { close(): Promise<void> } | undefined;
  t.before(async () => {
    await pty.start();
    server = await serveSerial(pty.device, sim);
  });
  t.teardown(async () => {
    await server?.close();
    await pty.teardown();
  });

  const newSource = (): MegatecSource =>
    new MegatecSource({
      backend: 'megatec-serial',
      open: () => openSerialLink({ path: pty.host, settleMs: 10 }),
      queryTimeoutMs: 300,
      reconnectBaseMs: 50,
      reconnectCapMs: 200,
    });

  t.test('identify with F and I, then Q1 readings with the NUT charge estimate', async (t) => {
    sim.set({ ...SIM_ONLINE });
    const src = newSource();
    await src.start();
    t.teardown(() => src.stop());
    t.ok(src.connected);
    t.same(src.rating, { voltage: 230, current: 4, batteryVoltage: 12, frequencyHz: 50 });
    t.same(src.vendor, { manufacturer: 'KIOSK SIM UPS', model: 'LI-1100', firmware: 'V1.0' });
    const s = await src.read();
    t.equal(s.backend, 'megatec-serial');
    t.ok(s.onMains && !s.onBattery);
    t.equal(s.chargePct, 100);
    t.ok(s.chargeEstimated);
    t.equal(s.model, 'LI-1100');
    sim.set(SIM_ON_BATTERY);
    const ob = await src.read();
    t.ok(ob.onBattery);
    t.equal(ob.chargePct, 69, '12.2 V on a 12 V unit → 69 % (reference §1.7)');
    t.same(ob.status, ['OB']);
  });

  t.test('every reference Q1 vector through the pty', async (t) => {
    const src = newSource();
    await src.start();
    t.teardown(() => {
      sim.set({ rawQ1: null });
      return src.stop();
    });
    for (const v of Q1_VECTORS) {
      sim.set({ rawQ1: v.reply, mode: 'normal' });
      const s = await src.read();
      t.same(s.status, v.tokens, v.origin);
    }
  });

  t.test('silence, NAK, echo, "UPS No Ack" and garbage become communication errors', async (t) => {
    const src = newSource();
    await src.start();
    t.teardown(() => {
      sim.set({ mode: 'normal' });
      return src.stop();
    });
    const cases = [
      ['silent', UpsErrorCode.Timeout, undefined],
      ['nak', UpsErrorCode.BadReply, MegatecErrorCode.Nak],
      ['echo', UpsErrorCode.BadReply, MegatecErrorCode.Echo],
      ['no-ack', UpsErrorCode.BadReply, MegatecErrorCode.NoAck],
      ['garbage', UpsErrorCode.BadReply, MegatecErrorCode.BadPrefix],
    ] as const;
    for (const [mode, code, cause] of cases) {
      sim.set({ mode });
      const e = await src.read().catch((x: unknown) => x);
      t.ok(isUpsError(e) && e.code === code, `${mode} → ${code}`);
      if (cause) t.ok(isUpsError(e) && isMegatecError(e.cause) && e.cause.code === cause, `cause ${cause}`);
      // keep the failure counter below the reopen threshold
      sim.set({ mode: 'normal' });
      await src.read();
    }
  });

  t.test('the pty closes → the driver reconnects when it is back', async (t) => {
    const src = newSource();
    await src.start();
    t.teardown(() => src.stop());
    await src.read();
    await server?.close();
    await pty.stop();
    const failed = await waitFor(() => src.read().then(() => undefined, (e: unknown) => (isUpsError(e) ? e : undefined)), 5000, 'a failed read');
    t.ok([UpsErrorCode.ConnectionClosed, UpsErrorCode.NotConnected, UpsErrorCode.Timeout].includes(failed.code as never), `failure seen: ${failed.code}`);
    await pty.start();
    server = await serveSerial(pty.device, sim);
    const s = await waitFor(() => src.read().catch(() => undefined), 8000, 'readings after the pty came back');
    t.ok(s.onMains || s.onBattery, 'reading again after reconnect');
  });

  t.test('outage through the monitor: power.lost, battery.low + shutdown, power.restored', async (t) => {
    sim.set({ ...SIM_ONLINE });
    const src = newSource();
    const mon = new UpsMonitor({ source: src, pollIntervalMs: 150, policy: { debounceMs: 100, staleAfterMs: 1000 } });
    const events: PowerEvent[] = [];
    const shutdowns: string[] = [];
    mon.on('event', (e) => events.push(e));
    mon.on('shutdown', (d) => shutdowns.push(d.reason));
    await mon.start();
    t.teardown(() => mon.stop());
    await waitFor(() => (mon.snapshot.line === 'mains' ? true : undefined), 3000, 'mains');
    sim.set(SIM_ON_BATTERY);
    await waitFor(() => events.find((e) => e.type === 'power.lost'), 3000, 'power.lost');
    sim.set(SIM_LOW_BATTERY);
    await waitFor(() => events.find((e) => e.type === 'battery.low'), 3000, 'battery.low');
    sim.set({ ...SIM_ONLINE });
    await waitFor(() => events.find((e) => e.type === 'power.restored'), 3000, 'power.restored');
    sim.set({ mode: 'silent' });
    await waitFor(() => events.find((e) => e.type === 'ups.comm_lost'), 3000, 'ups.comm_lost');
    sim.set({ mode: 'normal' });
    await waitFor(() => events.find((e) => e.type === 'ups.comm_restored'), 3000, 'ups.comm_restored');
    t.same(events.map((e) => e.type), ['power.lost', 'battery.low', 'power.restored', 'ups.comm_lost', 'ups.comm_restored']);
    t.same(shutdowns, ['low_battery']);
  });
}
