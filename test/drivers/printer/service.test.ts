import t from 'tap';
import { EscposErrorCode, toPrivateKey, verifyReceiptQr, type RateList } from '../../../protocols/escpos/index.js';
import { ReceiptPrinter } from '../../../drivers/printer/service.js';
import { PrinterConfig } from '../../../drivers/printer/config.js';
import { MemoryJobStore } from '../../../drivers/printer/queue.js';
import { startSimulatedPrinter } from '../../../drivers/printer/sim-server.js';
import type { PrinterEvent } from '../../../drivers/printer/events.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import type { ReceiptPrinter as LedgerReceiptPrinter } from '../../../agent/ledger/printer.js';

// Compile-time contract: the facade is what agent/ledger expects (checked by tsc).
export const asLedgerPrinter = (p: ReceiptPrinter): LedgerReceiptPrinter => p;

const RATES: RateList = { 'elec-bill': { officialPaise: 1500, nameEn: 'Electricity bill payment', nameHi: 'बिजली बिल भुगतान' } };
const SEED = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

t.test('the agent facade: rate rule, queue, print, QR, events', async (t) => {
  const p = await startSimulatedPrinter({ port: 0 });
  const events: PrinterEvent[] = [];
  const store = new MemoryJobStore();
  let n = 0;
  const printer = new ReceiptPrinter({
    config: PrinterConfig.parse({ transport: { type: 'tcp', host: '127.0.0.1', port: p.server.port }, statusTimeoutMs: 500, paper: 80 }),
    rates: RATES, privateKey: SEED, store, logger: silentLogger, emit: (e) => events.push(e), newId: () => `job-${++n}`,
  });
  t.teardown(async () => {
    await printer.stop();
    await p.close();
  });
  t.same(await printer.start(), []);
  const req = {
    kind: 'service' as const, kioskId: 'RJ-JPR-0042', kioskName: 'ई-मित्र सांगानेर', operator: 'सुनीता', serviceCode: 'elec-bill',
    chargedPaise: 1500, txnId: 'T-1', receiptNo: 'R-1', issuedAt: Date.UTC(2026, 10, 24, 9),
  };
  await t.rejects(printer.printReceipt({ ...req, chargedPaise: 1501 }), { code: EscposErrorCode.AboveOfficialRate });
  t.same(await store.list(['queued', 'sending', 'printed']), [], 'a refused receipt is never queued');
  const q = await printer.printReceipt(req);
  t.equal(q.jobId, 'job-1');
  t.match(verifyReceiptQr(q.qr, toPrivateKey(SEED)), { valid: true, fields: { receiptNo: 'R-1', chargedPaise: 1500 } });
  for (let i = 0; i < 300 && p.sim.pages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const page = p.sim.pages[0]!;
  t.match(page.ops.find((o) => o.kind === 'qr'), { text: q.qr });
  t.ok(page.ops.filter((o) => o.kind === 'raster').every((o) => o.kind === 'raster' && o.width === 576), '80 mm');
  t.match(await store.get('job-1'), { state: 'printed', key: 'R-1' });
  t.same(events.map((e) => e.type), ['printer.connected']);
  t.equal(printer.health.state, 'ok');
  const dup = await printer.reprint('job-1');
  t.match(dup, { id: 'job-2', duplicate: true });
  for (let i = 0; i < 300 && p.sim.pages.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(p.sim.pages.length, 2);
  t.same(await printer.uncertain(), []);
  // The ledger's call shape: current rates per call, duplicate decided by the ledger.
  const agentRates = { ...RATES, EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' } };
  const again = await printer.printReceipt({ ...req, serviceCode: 'EKYC', kind: 'ekyc-ack', chargedPaise: 0 }, { duplicate: true, rates: agentRates });
  t.match(await store.get(again.jobId), { duplicate: true });
  await t.rejects(printer.printReceipt({ ...req, serviceCode: 'EKYC', chargedPaise: 100 }, { duplicate: false, rates: agentRates }), { code: EscposErrorCode.AboveOfficialRate });
  t.match(await printer.printTest(Date.UTC(2026, 10, 24)), { ok: true, detail: 'printed' });
  p.sim.set({ coverOpen: true });
  t.match(await printer.printTest(), { ok: false, detail: /PRINTER_NOT_READY/ });
});

t.test('acceptance: paper out mid-queue of Hindi receipts → event, jobs wait, each prints once after loading', async (t) => {
  const p = await startSimulatedPrinter({ port: 0, state: {} });
  // Paper runs out after the second cut.
  let cuts = 0;
  p.sim.on('page', () => {
    if (++cuts === 2) p.sim.set({ paperEnd: true });
  });
  const events: PrinterEvent[] = [];
  const store = new MemoryJobStore();
  let n = 0;
  const printer = new ReceiptPrinter({
    config: PrinterConfig.parse({ transport: { type: 'tcp', host: '127.0.0.1', port: p.server.port }, statusTimeoutMs: 500, retryMs: 100 }),
    rates: RATES, privateKey: SEED, store, logger: silentLogger, emit: (e) => events.push(e), newId: () => `j${++n}`,
  });
  t.teardown(async () => {
    await printer.stop();
    await p.close();
  });
  await printer.start();
  const qrs: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const q = await printer.printReceipt({
      kind: 'service', kioskId: 'RJ-JPR-0042', kioskName: 'ई-मित्र सांगानेर', operator: 'सुनीता', serviceCode: 'elec-bill',
      chargedPaise: 1500, txnId: `T-${i}`, receiptNo: `R-${i}`, issuedAt: Date.UTC(2026, 10, 24, 9, i),
    });
    qrs.push(q.qr);
  }
  for (let i = 0; i < 500 && !events.some((e) => e.type === 'printer.paper_out'); i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(events.some((e) => e.type === 'printer.paper_out' && e.severity === 'critical'), 'paper out event');
  t.equal(p.sim.pages.length, 2);
  t.equal((await store.list(['queued'])).length, 2, 'two receipts wait');
  p.sim.set({ paperEnd: false });
  for (let i = 0; i < 500 && p.sim.pages.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < 100 && (await printer.queue.pending()).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  const printedQrs = p.sim.pages.map((pg) => pg.ops.find((o) => o.kind === 'qr')).map((o) => (o?.kind === 'qr' ? o.text : ''));
  t.same(printedQrs, qrs, 'each receipt printed once, in order');
  t.ok(events.some((e) => e.type === 'printer.paper_ok'));
  t.same((await store.list(['printed'])).map((j) => j.id), ['j1', 'j2', 'j3', 'j4']);
});
