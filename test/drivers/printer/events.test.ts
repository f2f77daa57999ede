import t from 'tap';
import { readdirSync } from 'node:fs';
import { statusEvents, jobEvent, watchPrinter, type PrinterEvent } from '../../../drivers/printer/events.js';
import { PrinterConfig } from '../../../drivers/printer/config.js';
import { openLinkFor } from '../../../drivers/printer/open-link.js';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { serveTcp } from '../../../drivers/printer/sim-server.js';
import { keepPngs } from '../../../drivers/printer/sim-png.js';
import { MemoryJobStore, PrintQueue } from '../../../drivers/printer/queue.js';
import { Backoff } from '../../../drivers/common/backoff.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { job, textRender, until } from './helpers.js';

const types = (es: PrinterEvent[]): string[] => es.map((e) => e.type);

t.test('status edges → events (state, input, expected)', (t) => {
  const cases: [string, object, object, string[]][] = [
    ['first poll, all fine', {}, { paperEnd: false, paperNearEnd: false, online: true, coverOpen: false }, []],
    ['near end', { paperEnd: false, paperNearEnd: false }, { paperEnd: false, paperNearEnd: true }, ['printer.paper_near_end']],
    ['out', { paperEnd: false, paperNearEnd: true }, { paperEnd: true, paperNearEnd: true, online: false }, ['printer.paper_out']],
    ['still out: no repeat', { paperEnd: true }, { paperEnd: true }, []],
    ['reloaded', { paperEnd: true, paperNearEnd: true, online: false }, { paperEnd: false, paperNearEnd: false, online: true }, ['printer.paper_ok', 'printer.online']],
    ['reloaded with a short roll', { paperEnd: true, paperNearEnd: true }, { paperEnd: false, paperNearEnd: true }, ['printer.paper_ok', 'printer.paper_near_end']],
    ['cover', { coverOpen: false, online: true }, { coverOpen: true, online: false }, ['printer.cover_open']],
    ['cover closed', { coverOpen: true, online: false }, { coverOpen: false, online: true }, ['printer.cover_closed', 'printer.online']],
    ['offline, no other cause', { online: true }, { online: false }, ['printer.offline']],
    ['cutter', { cutterError: false }, { cutterError: true }, ['printer.error']],
    ['cutter cleared', { cutterError: true }, { cutterError: false }, ['printer.error_cleared']],
  ];
  for (const [name, prev, next, want] of cases) t.same(types(statusEvents(prev, next)), want, name);
  t.match(statusEvents({}, { cutterError: true })[0], { severity: 'critical', data: { cause: 'cutter' } });
  t.match(jobEvent({ id: 'j', key: 'R-1', from: 'sending', to: 'uncertain', duplicate: false, error: 'EPIPE' }), { type: 'printer.job_uncertain', data: { jobId: 'j', key: 'R-1' } });
  t.equal(jobEvent({ id: 'j', key: 'R-1', from: 'sending', to: 'printed', duplicate: false }), undefined);
  t.end();
});

t.test('watchPrinter over the simulator: connect, paper out, reload, disconnect; PNGs kept', async (t) => {
  const sim = new PrinterSimulator();
  const dir = t.testdir();
  const unkeep = keepPngs(sim, dir, 384);
  const server = await serveTcp(sim, { port: 0 });
  const cfg = PrinterConfig.parse({ transport: { type: 'tcp', host: '127.0.0.1', port: server.port }, statusTimeoutMs: 500, pollIntervalMs: 60_000 });
  const driver = new PrinterDriver({ openLink: openLinkFor(cfg.transport), logger: silentLogger, statusTimeoutMs: cfg.statusTimeoutMs, pollIntervalMs: cfg.pollIntervalMs, backoff: new Backoff({ baseMs: 20, capMs: 40 }) });
  const queue = new PrintQueue({ store: new MemoryJobStore(), sink: driver, render: textRender, logger: silentLogger });
  const events: PrinterEvent[] = [];
  const unwatch = watchPrinter(driver, queue, (e) => events.push(e));
  t.teardown(async () => {
    unwatch();
    unkeep();
    await driver.stop();
    await server.close();
  });
  await driver.start();
  await driver.send(job('PNG'));
  sim.set({ paperEnd: true });
  await driver.refreshStatus();
  sim.set({ paperEnd: false });
  await driver.refreshStatus();
  server.drop();
  await until(driver, 'lifecycle', (l) => l === 'ready');
  t.same(types(events), ['printer.connected', 'printer.paper_out', 'printer.paper_ok', 'printer.online', 'printer.disconnected', 'printer.connected']);
  t.same(readdirSync(dir), ['receipt-0001.png']);
});

t.test('config: defaults, every transport, errors with paths', (t) => {
  const c = PrinterConfig.parse({ transport: { type: 'lp' } });
  t.match(c, { paper: 58, pollIntervalMs: 5000, transport: { path: '/dev/usb/lp0', bidirectional: false } });
  for (const tr of [{ type: 'tcp', host: 'h' }, { type: 'serial', path: '/dev/ttyUSB0' }, { type: 'lp' }, { type: 'usb', vendorId: 0x0416, productId: 0x5011 }]) {
    t.type(openLinkFor(PrinterConfig.parse({ transport: tr }).transport), 'function');
  }
  const bad = PrinterConfig.safeParse({ transport: { type: 'tcp', host: '' }, paper: 70, statusTimeoutMs: 1 });
  t.notOk(bad.success);
  t.same(bad.error?.issues.map((i) => i.path.join('.')).sort(), ['paper', 'statusTimeoutMs', 'transport.host']);
  t.end();
});
