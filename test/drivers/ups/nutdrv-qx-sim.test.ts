/**
 * Cross-check: NUT's own nutdrv_qx (protocol=megatec) reads the Megatec simulator over a socat pty,
 * and our NUT back-end reads it from upsd. This proves the simulator speaks Q1/F/I the way real NUT
 * expects, and runs the full chain simulator → pty → nutdrv_qx → upsd → NutSource → power policy.
 */
import t from 'tap';
import { MegatecSimulator, serveSerial, SIM_LOW_BATTERY, SIM_ON_BATTERY } from '../../../drivers/ups/megatec-sim.js';
import { NutClient } from '../../../drivers/ups/nut-client.js';
import { NutSource } from '../../../drivers/ups/nut-source.js';
import { UpsMonitor } from '../../../drivers/ups/monitor.js';
import type { PowerEvent } from '../../../drivers/ups/power-policy.js';
import { getVar, listVar } from '../../../protocols/nut/index.js';
import { PtyPair, socatInstalled } from '../../fixtures/ups/pty.js';
import { UpsdHarness, upsdInstalled, waitFor } from '../../fixtures/ups/upsd.js';

if (!upsdInstalled('nutdrv_qx') || !socatInstalled()) {
  t.plan(0, 'needs nut-server (upsd, nutdrv_qx) and socat');
} else {
  t.test('nutdrv_qx reads the simulator; events flow through upsd', async (t) => {
    const pty = new PtyPair();
    await pty.start();
    const sim = new MegatecSimulator();
    const server = await serveSerial(pty.device, sim);
    // pollfreq 2: full updates (charge re-estimate) every 2 s instead of 30 s.
    const h = new UpsdHarness({ driver: 'nutdrv_qx', name: 'qx', section: `  driver = nutdrv_qx\n  port = ${pty.host}\n  protocol = megatec\n  pollinterval = 1\n  pollfreq = 2\n` });
    await h.setup();
    h.startDriver();
    h.startUpsd();
    t.teardown(async () => {
      await h.teardown();
      await server.close();
      await pty.teardown();
    });
    const c = new NutClient({ port: h.port, reconnectBaseMs: 100, reconnectCapMs: 300 });
    await c.start();
    await waitFor(async () => (c.state === 'ready' ? c.request(getVar('qx', 'ups.status')).then((v) => (v === 'OL' ? v : undefined), () => undefined) : undefined), 20_000, 'nutdrv_qx to report OL');
    const vars = await c.request(listVar('qx'));
    await c.stop();
    t.match(Object.fromEntries(vars), {
      'device.mfr': 'KIOSK SIM UPS',
      'device.model': 'LI-1100',
      'ups.firmware': 'V1.0',
      'battery.voltage.nominal': '12.0',
      'input.voltage': '231.0',
      'ups.load': '23',
      'ups.type': 'offline / line interactive',
      'ups.beeper.status': 'enabled',
    }, 'NUT decodes Q1, F and I from the simulator like our parsers do');
    t.ok(sim.received.includes('F') && sim.received.includes('I') && sim.received.includes('Q1'));

    const mon = new UpsMonitor({ source: new NutSource({ port: h.port, ups: 'qx' }), pollIntervalMs: 500, policy: { debounceMs: 0, staleAfterMs: 5000, minRuntimeS: null } });
    const events: PowerEvent[] = [];
    mon.on('event', (e) => events.push(e));
    await mon.start();
    t.teardown(() => mon.stop());
    sim.set(SIM_ON_BATTERY);
    const lost = await waitFor(() => events.find((e) => e.type === 'power.lost'), 10_000, 'power.lost');
    t.ok(lost);
    sim.set(SIM_LOW_BATTERY);
    const low = await waitFor(() => events.find((e) => e.type === 'battery.low'), 10_000, 'battery.low');
    t.equal((low.data as { reason: string }).reason, 'low_battery');
    // NUT's charge estimate from the simulator's 10.6 V (nominal 12): (10.6 − 10.4)/2.6 ≈ 8 %.
    await waitFor(() => (mon.snapshot.state?.chargePct === 8 ? true : undefined), 10_000, 'NUT charge estimate 8 %');
    t.pass('NUT estimated 8 % from 10.6 V, as protocols/megatec does');
  });
}
