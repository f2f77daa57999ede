import t from 'tap';
import { MemoryJobStore, PrintQueue, type JobEvent, type PrintSink } from '../../../drivers/printer/queue.js';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { serveTcp } from '../../../drivers/printer/sim-server.js';
import { tcpLink } from '../../../drivers/printer/link-tcp.js';
import { PrinterError, PrinterErrorCode } from '../../../drivers/printer/errors.js';
import type { PrinterHealth } from '../../../drivers/printer/health.js';
import { decodeEscpos } from '../../../protocols/escpos/index.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { linesOf, textRender, until } from './helpers.js';
import { jobStoreContract } from './job-store-contract.js';

t.test('MemoryJobStore meets the store contract', (t) => {
  jobStoreContract(t, () => new MemoryJobStore());
  t.end();
});

async function simRig(t: import('tap').Test, sim: PrinterSimulator) {
  const server = await serveTcp(sim, { port: 0 });
  const driver = new PrinterDriver({ openLink: tcpLink({ host: '127.0.0.1', port: server.port }), logger: silentLogger, pollIntervalMs: 60_000, statusTimeoutMs: 500 });
  await driver.start();
  const store = new MemoryJobStore();
  const queue = new PrintQueue({ store, sink: driver, render: textRender, logger: silentLogger, retryMs: 30 });
  const events: JobEvent[] = [];
  queue.on('job', (e) => events.push(e));
  t.teardown(async () => {
    queue.stop();
    await driver.stop();
    await server.close();
  });
  await queue.start();
  return { driver, queue, store, events };
}

const drained = async (q: PrintQueue): Promise<void> => {
  for (let i = 0; i < 1000; i++) {
    if ((await q.pending()).length === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('queue did not drain');
};

t.test('paper out in the middle of a queue: jobs wait, the event goes out, each prints once after loading', async (t) => {
  const sim = new PrinterSimulator({ paperOutAfterCuts: 2 });
  const { driver, queue, store, events } = await simRig(t, sim);
  const paper: string[] = [];
  driver.on('paper', (p) => paper.push(p.to));
  for (let i = 1; i <= 4; i++) await queue.enqueue(`j${i}`, `R-${i}`, { line: `RECEIPT ${i}` });
  await until(driver, 'paper', (p) => p.to === 'out');
  t.same(paper, ['out']);
  t.same(sim.pages.map((p) => linesOf(p.ops)), [['RECEIPT 1'], ['RECEIPT 2']]);
  t.same((await store.list(['queued'])).map((j) => j.id), ['j3', 'j4'], 'later jobs wait in the queue, unsent');
  sim.set({ paperEnd: false });
  await drained(queue);
  t.same(sim.pages.map((p) => linesOf(p.ops)), [['RECEIPT 1'], ['RECEIPT 2'], ['RECEIPT 3'], ['RECEIPT 4']], 'each printed once, in order');
  t.same((await store.list(['printed'])).map((j) => j.id), ['j1', 'j2', 'j3', 'j4']);
  t.ok(events.every((e) => e.to !== 'uncertain'));
});

t.test('printer already out of paper: nothing is sent, jobs are retried until it is loaded', async (t) => {
  const sim = new PrinterSimulator({ state: { paperEnd: true } });
  const { queue, store } = await simRig(t, sim);
  await queue.enqueue('a', 'R-a', { line: 'A' });
  await queue.enqueue('b', 'R-b', { line: 'B' });
  await new Promise((r) => setTimeout(r, 120));
  t.equal(sim.pages.length, 0);
  t.match(await store.get('a'), { state: 'queued', error: /not ready/ });
  sim.set({ paperEnd: false });
  await drained(queue);
  t.same(sim.pages.map((p) => linesOf(p.ops)), [['A'], ['B']]);
});

class FakeSink implements PrintSink {
  health: PrinterHealth = { state: 'ok', paper: 'ok' };
  sent: string[] = [];
  #cbs = new Set<(h: PrinterHealth) => void>();
  constructor(public behave: (n: number) => 'ok' | 'not-ready' | 'broken' = () => 'ok') {}
  send(bytes: Uint8Array) {
    const b = this.behave(this.sent.length);
    if (b === 'not-ready') return Promise.reject(new PrinterError(PrinterErrorCode.NotReady, 'printer not ready: paper out'));
    this.sent.push(linesOf(decodeEscpos(bytes)).join('/'));
    if (b === 'broken') return Promise.reject(new PrinterError(PrinterErrorCode.WriteFailed, 'EPIPE'));
    return Promise.resolve('printed' as const);
  }
  on(_: 'health', cb: (h: PrinterHealth) => void) {
    this.#cbs.add(cb);
  }
  off(_: 'health', cb: (h: PrinterHealth) => void) {
    this.#cbs.delete(cb);
  }
  emitHealth(h: PrinterHealth) {
    this.health = h;
    for (const cb of this.#cbs) cb(h);
  }
}

t.test('a link that breaks mid-job makes it uncertain; reprint says DUPLICATE; confirm closes it', async (t) => {
  const sink = new FakeSink((n) => (n === 1 ? 'broken' : 'ok'));
  const store = new MemoryJobStore();
  const q = new PrintQueue({ store, sink, render: textRender, logger: silentLogger, retryMs: 10_000 });
  const events: JobEvent[] = [];
  q.on('job', (e) => events.push(e));
  await q.start();
  for (const n of [1, 2, 3]) await q.enqueue(`j${n}`, `R-${n}`, { line: `RECEIPT ${n}` });
  await drained(q);
  t.same(sink.sent, ['RECEIPT 1', 'RECEIPT 2', 'RECEIPT 3'], 'no automatic resend of the broken job');
  t.same((await q.uncertain()).map((j) => j.id), ['j2']);
  t.match(events.find((e) => e.to === 'uncertain'), { id: 'j2', key: 'R-2', from: 'sending', error: 'EPIPE' });
  const dup = await q.reprint('j2', 'j2-dup');
  t.match(dup, { duplicate: true, reprintOf: 'j2', key: 'R-2' });
  await drained(q);
  t.same(sink.sent.at(-1), 'DUPLICATE RECEIPT 2');
  t.match(await store.get('j2'), { state: 'reprinted' });
  t.same(await q.uncertain(), []);
  await t.rejects(q.confirmPrinted('j1'), { code: PrinterErrorCode.JobState });
  await t.rejects(q.reprint('nope', 'x'), { code: PrinterErrorCode.JobNotFound });
  q.stop();
});

t.test('refused jobs resume when the printer reports ready (health event), and render failures do not block the queue', async (t) => {
  let ready = false;
  const sink = new FakeSink(() => (ready ? 'ok' : 'not-ready'));
  const store = new MemoryJobStore();
  const q = new PrintQueue({ store, sink, render: (doc, d) => ((doc as { bad?: boolean }).bad ? (() => { throw new Error('no font'); })() : textRender(doc, d)), logger: silentLogger, retryMs: 60_000 });
  await q.start();
  await q.enqueue('bad', 'R-0', { bad: true });
  await q.enqueue('a', 'R-a', { line: 'A' });
  await new Promise((r) => setTimeout(r, 20));
  t.match(await store.get('bad'), { state: 'failed', error: 'render: no font' });
  t.match(await store.get('a'), { state: 'queued' });
  ready = true;
  sink.emitHealth({ state: 'degraded', detail: 'paper near end', paper: 'near_end' });
  await drained(q);
  t.same(sink.sent, ['A']);
  q.stop();
});

t.test('start() marks jobs left in sending as uncertain and does not resend them', async (t) => {
  const store = new MemoryJobStore();
  await store.insert({ id: 'x', key: 'R-x', doc: { line: 'X' }, duplicate: false, state: 'sending', attempts: 1, createdAt: 1, updatedAt: 1 });
  await store.insert({ id: 'y', key: 'R-y', doc: { line: 'Y' }, duplicate: false, state: 'queued', attempts: 0, createdAt: 2, updatedAt: 2 });
  const sink = new FakeSink();
  const q = new PrintQueue({ store, sink, render: textRender, logger: silentLogger });
  const interrupted = await q.start();
  t.same(interrupted.map((j) => j.id), ['x']);
  await drained(q);
  t.same(sink.sent, ['Y']);
  await q.confirmPrinted('x');
  t.match(await store.get('x'), { state: 'printed', error: 'confirmed by operator' });
  q.stop();
});
