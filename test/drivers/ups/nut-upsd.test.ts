/**
 * Acceptance against a REAL upsd + dummy-ups (Debian nut-server): the client's requests and ERR codes,
 * then the outage script OL → OB → OB LB → OL through the monitor, then upsd stopped and restarted.
 */
import t from 'tap';
import { instcmd, getVar, isNutError, listCmd, listUps, listVar, netver } from '../../../protocols/nut/index.js';
import { isUpsError, UpsErrorCode } from '../../../drivers/ups/errors.js';
import { UpsMonitor } from '../../../drivers/ups/monitor.js';
import { NutClient } from '../../../drivers/ups/nut-client.js';
import { NutSource } from '../../../drivers/ups/nut-source.js';
import type { PowerEvent, ShutdownDecision } from '../../../drivers/ups/power-policy.js';
import type { UpsState } from '../../../drivers/ups/state.js';
import { UpsdHarness, upsdInstalled, waitFor } from '../../fixtures/ups/upsd.js';

if (!upsdInstalled()) {
  t.plan(0, 'upsd not installed: apt-get install -y nut-server (provides /lib/nut/upsd and /lib/nut/dummy-ups)');
} else {
  const h = new UpsdHarness();
  t.before(async () => {
    await h.setup();
    h.startDriver();
    h.startUpsd();
    // upsd answers WAIT until the driver's first update (reference §4.3): wait for real data.
    const c = new NutClient({ port: h.port, reconnectBaseMs: 100, reconnectCapMs: 200 });
    await c.start();
    await waitFor(async () => {
      if (c.state !== 'ready') return undefined;
      const v = await c.request(getVar('dummy', 'ups.status')).catch(() => undefined);
      return v === 'OL' ? v : undefined;
    }, 15_000, 'dummy-ups to publish OL');
    await c.stop();
  });
  t.teardown(() => h.teardown());

  t.test('client: LIST/GET/INSTCMD and ERR codes against real upsd', async (t) => {
    const c = new NutClient({ port: h.port, username: 'admin', password: 'testpass' });
    await c.start();
    t.equal(c.state, 'ready');
    t.equal(await c.request(netver()), '1.3', 'NUT 2.8.0 protocol version');
    t.same(await c.request(listUps()), [{ name: 'dummy', description: 'Simulated kiosk UPS' }]);
    const vars = await c.request(listVar('dummy'));
    t.equal(vars.get('ups.status'), 'OL');
    t.equal(vars.get('battery.charge'), '100');
    t.equal(vars.get('ups.model'), 'Kiosk-1100');
    t.ok((await c.request(listCmd('dummy'))).includes('load.off'), 'LIST CMD: dummy-ups offers load.off');
    t.same(await c.request(instcmd('dummy', 'load.off')), {}, 'accepted (dummy-ups does nothing with it)');
    // several requests at once: queued, one in flight, each gets its own reply
    const [a, b, d] = await Promise.all([
      c.request(getVar('dummy', 'ups.status')),
      c.request(getVar('dummy', 'battery.runtime')),
      c.request(getVar('dummy', 'input.voltage')),
    ]);
    t.same([a, b, d], ['OL', '900', '231.0']);
    const codes: string[] = [];
    for (const req of [getVar('nope', 'ups.status'), getVar('dummy', 'no.such.var')]) {
      await c.request(req).catch((e: unknown) => codes.push(isNutError(e) ? e.code : 'other'));
    }
    t.same(codes, ['UNKNOWN-UPS', 'VAR-NOT-SUPPORTED']);
    await c.stop();
    t.equal(c.state, 'stopped');

    const anon = new NutClient({ port: h.port });
    await anon.start();
    const err = await anon.request(instcmd('dummy', 'load.off')).catch((e: unknown) => e);
    t.ok(isNutError(err) && err.code === 'USERNAME-REQUIRED', 'INSTCMD before auth');
    await anon.stop();

    const wrong = new NutClient({ port: h.port, username: 'admin', password: 'wrong' });
    await wrong.start();
    const denied = await wrong.request(instcmd('dummy', 'load.off')).catch((e: unknown) => e);
    t.ok(isNutError(denied) && denied.code === 'ACCESS-DENIED', 'wrong password');
    await wrong.stop();

    const src = new NutSource({ port: h.port, ups: 'dummy', username: 'admin', password: 'testpass' });
    await src.start();
    const refused = await src.command('test.battery.start.quick').catch((e: unknown) => e);
    t.ok(isUpsError(refused) && refused.code === UpsErrorCode.Refused && isNutError(refused.cause) && refused.cause.code === 'CMD-NOT-SUPPORTED', 'dummy-ups has no battery test');
    await src.stop();
  });

  t.test('outage script → power events within two poll intervals; upsd stop/start → comm lost/restored', async (t) => {
    const pollIntervalMs = 500;
    const source = new NutSource({ port: h.port, ups: 'dummy', requestTimeoutMs: 1000, reconnectBaseMs: 100, reconnectCapMs: 400 });
    const mon = new UpsMonitor({ source, pollIntervalMs, policy: { debounceMs: 400, staleAfterMs: 2000, minRuntimeS: 60 } });
    const events: (PowerEvent & { wall: number })[] = [];
    const readings: (UpsState & { wall: number })[] = [];
    const shutdowns: ShutdownDecision[] = [];
    mon.on('event', (e) => events.push({ ...e, wall: Date.now() }));
    mon.on('reading', (r) => readings.push({ ...r, wall: Date.now() }));
    // The agent's shutdown hook: in test mode it is only recorded, never executed.
    mon.on('shutdown', (d) => shutdowns.push(d));
    await mon.start();
    t.teardown(() => mon.stop());
    await waitFor(() => readings.find((r) => r.onMains), 5000, 'first OL reading');
    t.same(events, [], 'no event on a normal start');

    /** Waits for an event and checks it came within two polls of the first reading showing the change. */
    const expectEvent = async (type: PowerEvent['type'], seen: (r: UpsState) => boolean): Promise<PowerEvent & { wall: number }> => {
      const from = readings.length;
      const ev = await waitFor(() => events.find((e) => e.type === type), 10_000, type);
      const first = readings.slice(from - 1).find(seen);
      if (first) t.ok(ev.wall - first.wall <= 2 * pollIntervalMs + 150, `${type} ${ev.wall - first.wall} ms after upsd first showed it (≤ 2 polls)`);
      return ev;
    };

    h.set({ 'ups.status': 'OB DISCHRG', 'battery.charge': '60', 'input.voltage': '0.0' });
    const lost = await expectEvent('power.lost', (r) => r.onBattery);
    t.same(lost.data, { chargePct: 60, runtimeS: 900, inputVoltage: 0 });
    t.same(shutdowns, []);

    h.set({ 'ups.status': 'OB LB', 'battery.charge': '10', 'battery.runtime': '300' });
    const low = await expectEvent('battery.low', (r) => r.lowBattery);
    t.same(low.data, { reason: 'low_battery', chargePct: 10, runtimeS: 300 });
    await waitFor(() => shutdowns[0], 1000, 'shutdown decision');
    t.same(shutdowns.map((s) => s.reason), ['low_battery'], 'shutdown decided once, recorded not executed');

    h.set({ 'ups.status': 'OL CHRG', 'battery.charge': '12', 'input.voltage': '230.0' });
    const restored = await expectEvent('power.restored', (r) => r.onMains);
    t.ok((restored.data as { onBatteryMs: number }).onBatteryMs > 0);
    t.equal(mon.snapshot.line, 'mains');
    t.match(mon.snapshot.summary, /^ups:OL\+CHRG 12% 300s$/);

    await h.stopUpsd();
    const stopAt = Date.now();
    const commLost = await waitFor(() => events.find((e) => e.type === 'ups.comm_lost'), 8000, 'ups.comm_lost');
    t.ok(commLost.wall - stopAt <= 2000 + 2 * pollIntervalMs + 300, `comm lost ${commLost.wall - stopAt} ms after upsd stopped`);
    t.equal(mon.snapshot.comm, 'lost');
    t.equal(mon.snapshot.summary, 'ups:comm-lost');

    h.startUpsd();
    await waitFor(() => events.find((e) => e.type === 'ups.comm_restored'), 15_000, 'ups.comm_restored');
    t.equal(mon.snapshot.comm, 'ok');
    t.same(
      events.map((e) => e.type),
      ['power.lost', 'battery.low', 'power.restored', 'ups.comm_lost', 'ups.comm_restored'],
    );
  });

  t.test('driver stopped behind upsd → unreachable, not a crash', async (t) => {
    await h.stopDriver();
    const source = new NutSource({ port: h.port, ups: 'dummy' });
    await source.start();
    const err = await waitFor(() => source.read().then(() => undefined, (e: unknown) => (isUpsError(e) && e.code === UpsErrorCode.Unreachable ? e : undefined)), 8000, 'DRIVER-NOT-CONNECTED');
    t.ok(isNutError(err.cause) && ['DRIVER-NOT-CONNECTED', 'DATA-STALE'].includes(err.cause.code), 'cause carries the upsd code');
    await source.stop();
  });
}
