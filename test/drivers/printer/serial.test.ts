import t from 'tap';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { servePty } from '../../../drivers/printer/sim-server.js';
import { serialLink } from '../../../drivers/printer/link-serial.js';
import { PrinterErrorCode } from '../../../drivers/printer/errors.js';
import { Backoff } from '../../../drivers/common/backoff.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { hasSocat, ptyPair, startSimulatedSerialPrinter } from '../../../drivers/printer/sim-pty.js';
import { job, linesOf, until } from './helpers.js';

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
    writeTimeoutMs: 1000,
    // No reopen within the test: a freed /dev/pts number can be handed to another process's pty.
    backoff: new Backoff({ baseMs: 60_000, capMs: 60_000 }),
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
  // Unplug: the pty pair disappears. A pty gives no close event, so the driver notices through
  // unanswered status polls (or a failed write) and keeps retrying, without throwing.
  const lost = until(driver, 'lifecycle', (l) => l === 'reconnecting', 8000);
  pty.stop();
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 3 && driver.lifecycle === 'ready'; i++) await driver.refreshStatus().catch(() => undefined);
  await lost;
  t.equal(driver.health.state, 'disconnected');
});

t.test('serial open failure is coded', async (t) => {
  await t.rejects(serialLink({ path: '/dev/does-not-exist-printer' })(), { code: PrinterErrorCode.OpenFailed });
});

t.test('the simulated serial printer for the demo: the agent opens the returned path', { skip: hasSocat() ? false : 'socat not installed' }, async (t) => {
  const p = await startSimulatedSerialPrinter({ baudRate: 19200 });
  const driver = new PrinterDriver({ openLink: serialLink({ path: p.path, baudRate: 19200 }), logger: silentLogger, statusTimeoutMs: 500, pollIntervalMs: 60_000, backoff: new Backoff({ baseMs: 60_000, capMs: 60_000 }) });
  t.teardown(async () => {
    await driver.stop();
    await p.close();
  });
  await driver.start();
  t.equal(await driver.send(job('DEMO')), 'printed');
  t.same(linesOf(p.sim.printed), ['DEMO']);
});
