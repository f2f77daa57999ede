import t, { type Test } from 'tap';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { serveTcp } from '../../../drivers/printer/sim-server.js';
import { tcpLink } from '../../../drivers/printer/link-tcp.js';
import { PrinterError, PrinterErrorCode, isPrinterError } from '../../../drivers/printer/errors.js';
import { Backoff } from '../../../drivers/common/backoff.js';
import { recordingLogger, silentLogger } from '../../../drivers/common/logger.js';
import { job, lifecycleIs, linesOf, until } from './helpers.js';
import { encodeJob } from '../../../protocols/escpos/index.js';

async function rig(t: Test, sim = new PrinterSimulator()) {
  const server = await serveTcp(sim, { port: 0 });
  const logger = recordingLogger();
  const driver = new PrinterDriver({
    openLink: tcpLink({ host: '127.0.0.1', port: server.port }),
    logger,
    pollIntervalMs: 60_000,
    statusTimeoutMs: 1000,
    barrierTimeoutMs: 300,
    // ≈ 500 ms before a reopen, so assertions made while reconnecting are not raced.
    backoff: new Backoff({ baseMs: 500, capMs: 500, random: () => 0.99 }),
  });
  t.teardown(async () => {
    await driver.stop();
    await server.close();
  });
  await driver.start();
  return { sim, server, driver, logger };
}



t.test('prints a job over a real loopback socket and confirms it with the GS r barrier', async (t) => {
  const { sim, driver } = await rig(t);
  t.equal(driver.lifecycle, 'ready');
  t.equal(driver.statusSupported, true);
  t.match(driver.health, { state: 'ok', paper: 'ok' });
  t.equal(await driver.send(job('RECEIPT 1')), 'printed');
  t.equal(sim.pages.length, 1);
  t.same(linesOf(sim.pages[0]!.ops), ['RECEIPT 1']);
});

t.test('paper near end and paper out are reported; a job is refused before any byte is sent', async (t) => {
  const { sim, driver } = await rig(t);
  const paper: string[] = [];
  driver.on('paper', (p) => paper.push(`${p.from}->${p.to}`));
  sim.set({ paperNearEnd: true });
  await driver.refreshStatus();
  t.match(driver.health, { state: 'degraded', detail: 'paper near end' });
  sim.set({ paperEnd: true });
  const before = sim.bytesReceived;
  await t.rejects(driver.send(job('X')), { code: PrinterErrorCode.NotReady });
  t.match(driver.health, { state: 'fault', detail: 'paper out', paper: 'out' });
  t.same(paper, ['ok->near_end', 'near_end->out']);
  t.equal(sim.bytesReceived - before, 4 * 3, 'only the four DLE EOT requests went out');
  sim.set({ paperEnd: false, coverOpen: true });
  await t.rejects(driver.send(job('X')), { code: PrinterErrorCode.NotReady });
  t.match(driver.health, { detail: 'cover open' });
});

t.test('paper runs out mid-job: the driver waits, reports it, and completes once paper is loaded', async (t) => {
  const { sim, driver } = await rig(t, new PrinterSimulator({ paperOutAfterCuts: 1 }));
  const both = new Uint8Array([...job('FIRST'), ...job('SECOND')]);
  const sending = driver.send(both);
  await until(driver, 'paper', (p) => p.to === 'out', 10_000);
  t.equal(sim.pages.length, 1, 'first receipt printed, second held in the printer');
  t.ok(sim.heldCount > 0);
  sim.set({ paperEnd: false });
  t.equal(await sending, 'printed');
  t.same(sim.pages.map((p) => linesOf(p.ops)), [['FIRST'], ['SECOND']], 'each printed once');
});

t.test('a printer without status support still prints; health says so', async (t) => {
  const { sim, driver } = await rig(t, new PrinterSimulator({ state: { statusSupport: 'none' } }));
  t.equal(driver.statusSupported, false);
  t.match(driver.health, { state: 'ok', detail: 'no status support', paper: 'unknown' });
  t.equal(await driver.send(job('CHEAP')), 'sent');
  await until(driver, 'status', () => true, 50).catch(() => undefined);
  t.same(linesOf(sim.printed), ['CHEAP']);
});

t.test('realtime-only units: no barrier, outcome is sent', async (t) => {
  const { sim, driver } = await rig(t, new PrinterSimulator({ state: { statusSupport: 'realtime-only' } }));
  t.equal(await driver.send(job('RT')), 'sent');
  t.equal(driver.statusSupported, true);
  sim.set({ paperEnd: true });
  await driver.refreshStatus();
  t.equal(driver.health.detail, 'paper out');
});

t.test('link lost: disconnected, reconnects with backoff, prints again', async (t) => {
  const { sim, server, driver, logger } = await rig(t);
  const lost = until(driver, 'lifecycle', (l) => l === 'reconnecting');
  server.drop();
  await lost;
  t.equal(driver.health.state, 'disconnected');
  await t.rejects(driver.send(job('NO')), { code: PrinterErrorCode.NotReady });
  await lifecycleIs(driver, 'ready');
  t.equal(await driver.send(job('AGAIN')), 'printed');
  t.same(linesOf(sim.printed), ['AGAIN']);
  t.ok(logger.records.some((r) => r.msg === 'printer link lost'));
});

t.test('nothing listening: absent, keeps retrying, never throws from start()', async (t) => {
  const sim = new PrinterSimulator();
  const probe = await serveTcp(sim, { port: 0 });
  const port = probe.port;
  await probe.close();
  const driver = new PrinterDriver({ openLink: tcpLink({ host: '127.0.0.1', port }), logger: silentLogger, backoff: new Backoff({ baseMs: 10, capMs: 20 }), statusTimeoutMs: 100 });
  await driver.start();
  t.equal(driver.lifecycle, 'reconnecting');
  t.match(driver.health, { state: 'absent' });
  const server = await serveTcp(sim, { port });
  await lifecycleIs(driver, 'ready');
  t.equal(driver.health.state, 'ok');
  await driver.stop();
  await server.close();
  t.equal(driver.lifecycle, 'stopped');
});

t.test('a write on a closed link fails with a code, not a crash', async (t) => {
  const sim = new PrinterSimulator();
  const server = await serveTcp(sim, { port: 0 });
  const link = await tcpLink({ host: '127.0.0.1', port: server.port })();
  await link.close();
  await link.write(Uint8Array.of(1)).then(() => t.fail('should reject'), (e: unknown) => t.ok(isPrinterError(e, PrinterErrorCode.Closed)));
  await server.close();
  await t.rejects(tcpLink({ host: '127.0.0.1', port: server.port, connectTimeoutMs: 500 })(), { code: PrinterErrorCode.OpenFailed });
});

t.test('a printer that stops answering status is reopened, then driven without status', async (t) => {
  const { sim, driver, logger } = await rig(t);
  t.equal(driver.statusSupported, true);
  sim.set({ statusSupport: 'none' });
  const reopened = until(driver, 'lifecycle', (l) => l === 'reconnecting', 15_000);
  for (let i = 0; i < 3; i++) await driver.refreshStatus();
  await reopened;
  t.ok(logger.records.some((r) => r.msg === 'printer stopped answering status; reopening'));
  await until(driver, 'health', (h) => h.detail === 'no status support', 15_000);
  t.equal(driver.statusSupported, false);
  t.equal(await driver.send(job('STILL PRINTS')), 'sent');
});

t.test('offline is refused; ASB pushes changes without polling', async (t) => {
  const sim = new PrinterSimulator();
  const server = await serveTcp(sim, { port: 0 });
  const driver = new PrinterDriver({ openLink: tcpLink({ host: '127.0.0.1', port: server.port }), logger: silentLogger, pollIntervalMs: 60_000, statusTimeoutMs: 1000, asb: true });
  t.teardown(async () => {
    await driver.stop();
    await server.close();
  });
  await driver.start();
  const pushed = until(driver, 'health', (h) => h.detail === 'cover open');
  sim.set({ coverOpen: true });
  await pushed;
  t.equal(driver.status.coverOpen, true, 'arrived by ASB, no refreshStatus call');
  sim.set({ coverOpen: false, online: false });
  await t.rejects(driver.send(job('X')), { code: PrinterErrorCode.NotReady });
  t.match(driver.health, { state: 'fault', detail: 'offline' });
  sim.set({ online: true });
  t.equal(await driver.send(job('BACK')), 'printed');
  t.same(linesOf(sim.printed), ['BACK']);
});

t.test('a printer that starts out of paper still gets its print barrier once loaded', async (t) => {
  const { sim, driver } = await rig(t, new PrinterSimulator({ state: { paperEnd: true } }));
  t.match(driver.health, { state: 'fault', detail: 'paper out' });
  sim.set({ paperEnd: false });
  t.equal(await driver.send(job('LOADED')), 'printed', 'GS r was probed after loading, not while stopped');
});

t.test('simulator keeps a bounded number of pages', (t) => {
  const sim = new PrinterSimulator({ maxPages: 2 });
  const s = sim.connect(() => undefined);
  for (const l of ['A', 'B', 'C']) s.receive(job(l));
  t.same(sim.pages.map((p) => linesOf(p.ops)), [['B'], ['C']]);
  t.end();
});

t.test('a job cut off mid-raster: after reopening, the printer is flushed and the next job prints as text', async (t) => {
  const sim = new PrinterSimulator();
  const server = await serveTcp(sim, { port: 0 });
  const inner = tcpLink({ host: '127.0.0.1', port: server.port });
  let breakAfter = Infinity;
  // A link that dies after `breakAfter` job bytes: the cable pulled in the middle of an image.
  const openLink = async () => {
    const l = await inner();
    let sent = 0;
    return {
      ...l,
      kind: l.kind,
      address: l.address,
      canRead: l.canRead,
      write: async (b: Uint8Array) => {
        if (b.length > 3 && sent + b.length > breakAfter) {
          await l.write(b.subarray(0, Math.max(0, breakAfter - sent)));
          breakAfter = Infinity;
          await l.close();
          throw new PrinterError(PrinterErrorCode.WriteFailed, 'cable pulled');
        }
        if (b.length > 3) sent += b.length;
        return l.write(b);
      },
    };
  };
  const driver = new PrinterDriver({ openLink, logger: silentLogger, pollIntervalMs: 60_000, statusTimeoutMs: 1000, chunkBytes: 1024, backoff: new Backoff({ baseMs: 20, capMs: 40 }) });
  t.teardown(async () => {
    await driver.stop();
    await server.close();
  });
  await driver.start();
  const w = 384;
  const img = { width: w, height: 64, data: new Uint8ClampedArray(w * 64 * 4).fill(0) };
  breakAfter = 1500; // inside the 3 072-byte GS v 0 payload
  await t.rejects(driver.send(encodeJob([{ type: 'image', image: img }, { type: 'cut' }], { paper: 58 })), { code: PrinterErrorCode.WriteFailed });
  await lifecycleIs(driver, 'ready');
  t.equal(await driver.send(job('AFTER FLUSH')), 'printed');
  t.same(linesOf(sim.printed).filter((l) => l.includes('AFTER')), ['AFTER FLUSH'], 'not swallowed as image data');
  const raster = sim.printed.find((o) => o.kind === 'raster');
  t.ok(raster && raster.kind === 'raster' && raster.data.subarray(1600).every((b) => b === 0), 'the rest of the cut-off image came out white');
});
