/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { silentLogger } from '../../../drivers/common/logger.js';
import { UpsConfigSchema } from '../../../drivers/ups/config.js';
import { MegatecSimulator, SIM_LOW_BATTERY, SimulatedHidDevice } from '../../../drivers/ups/megatec-sim.js';
import { describeUps, probeUps } from '../../../drivers/ups/probe.js';
import { freePort } from '../../fixtures/ups/upsd.js';

t.test('probe a simulated HID UPS and describe it', async (t) => {
  const sim = new MegatecSimulator(SIM_LOW_BATTERY);
  const r = await probeUps(UpsConfigSchema.parse({ backend: 'megatec-hid' }), { logger: silentLogger, openHid: async () => new SimulatedHidDevice(sim) });
  t.ok(r.ok);
  t.same(describeUps(r), [
    'UPS: ON BATTERY, LOW [OB LB] via megatec-hid',
    'model: KIOSK SIM UPS LI-1100',
    'battery: 8% (estimated from voltage), runtime unknown, 10.6 V',
    'input 0 V, output 230 V, load 23%, temperature 30 °C',
  ]);
});

t.test('nothing listening: a coded answer, no throw', async (t) => {
  const port = await freePort();
  const r = await probeUps(UpsConfigSchema.parse({ nut: { target: `ups@127.0.0.1:${port}` } }), { logger: silentLogger });
  t.same(r.ok ? 'ok' : r.code, 'UPS_NOT_CONNECTED');
  t.match(describeUps(r)[0], /not readable \(UPS_NOT_CONNECTED\)/);
  const silent = new MegatecSimulator({ mode: 'silent' });
  const s = await probeUps(UpsConfigSchema.parse({ backend: 'megatec-hid' }), { logger: silentLogger, openHid: async () => new SimulatedHidDevice(silent) });
  t.same(s.ok ? 'ok' : s.code, 'UPS_TIMEOUT');
});
