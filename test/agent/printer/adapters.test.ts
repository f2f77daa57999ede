/**
 * The printer as the ledger and e-KYC see it: the rate rule's refusals become the ledger's own
 * (422 above-rate, not a printer fault), and the e-KYC acknowledgement counts as the
 * transaction's first print, so a later print from the receipt endpoint says DUPLICATE.
 */
import t from 'tap';
import { EscposError, EscposErrorCode, type ReceiptRequest } from '../../../protocols/escpos/index.js';
import type { ReceiptPrinter } from '../../../drivers/printer/service.js';
import { ekycPrinter, ForwardingEkycPrinter, ledgerPrinter } from '../../../agent/printer/adapters.js';
import { LedgerError } from '../../../agent/ledger/errors.js';
import type { Param, Queries } from '../../../agent/store/db.js';

function fakePrinter(fail?: Error) {
  const printed: { req: ReceiptRequest; duplicate: boolean | undefined }[] = [];
  const p = {
    printReceipt: (req: ReceiptRequest, opts: { duplicate?: boolean } = {}) => {
      if (fail) return Promise.reject(fail);
      printed.push({ req, duplicate: opts.duplicate });
      return Promise.resolve({ jobId: `job-${printed.length}`, receipt: {}, qr: 'KR1|…' });
    },
    printTest: () => Promise.resolve({ ok: true, detail: 'printed' }),
  } as unknown as ReceiptPrinter;
  return { p, printed };
}

const RATES = { EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' } };
const DOC = { kind: 'service' as const, kioskId: 'K1', kioskName: 'K', operator: 'op', serviceCode: 'EKYC', chargedPaise: 0, txnId: 'T1', receiptNo: 'R1', issuedAt: 1 };

t.test('the ledger sees the rate rule as its own refusal', async (t) => {
  for (const [code, want] of [
    [EscposErrorCode.AboveOfficialRate, 'above-rate'],
    [EscposErrorCode.UnknownService, 'unknown-service'],
    [EscposErrorCode.MoneyNotPaise, 'not-paise'],
    [EscposErrorCode.ReceiptInvalid, 'invalid'],
  ] as const) {
    const { p } = fakePrinter(new EscposError(code, 'refused'));
    const err = await ledgerPrinter(p).printReceipt(DOC, { duplicate: false, rates: RATES }).catch((e: unknown) => e);
    t.ok(err instanceof LedgerError && err.code === want, `${code} → ${want}`);
  }
  const other = new Error('link down');
  t.equal(await ledgerPrinter(fakePrinter(other).p).printReceipt(DOC, { duplicate: false, rates: RATES }).catch((e: unknown) => e), other, 'anything else unchanged');
  const { p, printed } = fakePrinter();
  t.same(await ledgerPrinter(p).printReceipt(DOC, { duplicate: true, rates: RATES }), { jobId: 'job-1' });
  t.equal(printed[0]?.duplicate, true, 'DUPLICATE passed through');
  t.same(await ledgerPrinter(p).printTest(), { ok: true, detail: 'printed' });
});

t.test('the e-KYC acknowledgement is the transaction’s first print', async (t) => {
  const runs: { sql: string; params: Param[] | undefined }[] = [];
  const store = { run: (sql: string, params?: Param[]) => (runs.push({ sql, params }), Promise.resolve({ changes: 1, lastID: 0 })) } as unknown as Queries;
  const { p, printed } = fakePrinter();
  const ack = ekycPrinter({ printer: p, kioskName: 'e-Mitra Sanganer', rates: RATES, store });
  await ack.printEkycAck({ kioskId: 'K1', captureId: '5b7c3f0e-9a51-4b8e-8a43-3d0f1f6f2c11', service: 'EKYC', commissionPaise: 1800, chargedPaise: 0, officialPaise: 0, at: 5, txnId: 'T9', receiptNo: 'R9' });
  t.match(printed[0]?.req, { kind: 'ekyc-ack', kioskName: 'e-Mitra Sanganer', operator: 'kiosk', serviceCode: 'EKYC', chargedPaise: 0, txnId: 'T9', receiptNo: 'R9', issuedAt: 5 });
  t.match(runs, [{ sql: /UPDATE ledger_txns SET prints = prints \+ 1/, params: ['T9'] }]);
  // Without a ledger entry the capture id stands in, and there is no count to raise.
  await ack.printEkycAck({ kioskId: 'K1', captureId: 'c-1', service: 'EKYC', commissionPaise: 1800, chargedPaise: 0, officialPaise: 0, at: 6, operator: 'op2' });
  t.match(printed[1]?.req, { txnId: 'c-1', receiptNo: 'c-1', operator: 'op2' });
  t.equal(runs.length, 1);
});

t.test('before the printer starts, the e-KYC hook refuses with a reason', async (t) => {
  const fwd = new ForwardingEkycPrinter();
  const r = { kioskId: 'K1', captureId: 'c', service: 'EKYC', commissionPaise: 0, chargedPaise: 0, officialPaise: 0, at: 0 };
  await t.rejects(fwd.printEkycAck(r), /no receipt printer/);
  let got = 0;
  fwd.current = { printEkycAck: () => (got++, Promise.resolve()) };
  await fwd.printEkycAck(r);
  t.equal(got, 1);
});
