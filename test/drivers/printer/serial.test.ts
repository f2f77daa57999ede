import t from 'tap';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { servePty } from '../../../drivers/printer/sim-server.js';
import { serialLink } from '../../../drivers/printer/link-serial.js';
import { PrinterErrorCode } from '../../../drivers/printer/errors.js';
import { Backoff } from '../../../drivers/common/backoff.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { hasSocat, ptyPair } from './pty.js';
import { job, linesOf } from './helpers.js';

t.test('serial transport over a real socat pty pair', { skip: hasSocat() ? false : 'socat not installed (make system-deps)' }, async (t) => {
  const pty = await ptyPair();
  t.teardown(() => pty.stop());
  const sim = new PrinterSimulator();
  const server = await servePty(sim, pty.a, 19200);
  const driver = new PrinterDriver({
    openLink: serialLink({ path: pty.b, baudRate: 19200 }),
    logger: silentLogger,
    pollIntervalMs: 60_000,
    statusTimeoutMs: 500,
    backoff: new Backoff({ baseMs: 20, capMs: 50 }),
  });
  t.teardown(async () => {
    await driver.stop();
    await server.close();
  });
  await driver.start();
  t.equal(driver.lifecycle, 'ready');
  t.equal(driver.statusSupported, true);
  t.equal(await driver.send(job('SERIAL OK')), 'printed');
  t.same(linesOf(sim.printed), ['SERIAL OK']);
  sim.set({ coverOpen: true });
  await driver.refreshStatus();
  t.match(driver.health, { state: 'fault', detail: 'cover open' });
  sim.set({ coverOpen: false, paperNearEnd: true });
  await driver.refreshStatus();
  t.match(driver.health, { state: 'degraded', detail: 'paper near end', paper: 'near_end' });
});

t.test('serial open failure is coded', async (t) => {
  await t.rejects(serialLink({ path: '/dev/does-not-exist-printer' })(), { code: PrinterErrorCode.OpenFailed });
});
