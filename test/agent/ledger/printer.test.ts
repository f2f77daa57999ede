import t from 'tap';
import type { ReceiptPrinter as DriverReceiptPrinter } from '../../../drivers/printer/service.js';
import type { ReceiptPrinter } from '../../../agent/ledger/printer.js';
import { hashPin } from '../../../agent/auth/pin.js';
import { jobMessage } from '../../../agent/jobs/runner.js';
import { RecordingPrinter, startHarness } from './harness.js';

// The printer driver's facade is what the agent connects: it must fit the ledger's interface.
export const fits = (p: DriverReceiptPrinter): ReceiptPrinter => p;

t.test('without a printer a print is refused with 503 and stays an original; once connected it prints', async (t) => {
  const h = await startHarness(t, { auth: { users: [{ user: 'op1', role: 'operator', pinHash: await hashPin('1234', { N: 1024 }) }] } }, { noPrinter: true });
  const op = await h.login('op1', '1234');
  await h.call('POST', '/v1/transactions', { idempotencyKey: 'ekyc-000001', serviceCode: 'EKYC', chargedPaise: 0 }, op);
  const refused = await h.call('POST', '/v1/receipts/RJ-JAI-0001-T1/print', undefined, op);
  t.equal(refused.status, 503);
  t.match(refused.body, { type: 'urn:kiosk-agent:problem:printer-unavailable', title_hi: /प्रिंटर/ });
  await h.deliver('jobs', jobMessage('J-pt', 'print.test', {}, h.time.wall));
  t.match((await h.queued('job-status')).at(-1), { jobId: 'J-pt', status: 'failed', code: 'error', reason: /no receipt printer/ });

  const printer = new RecordingPrinter();
  h.cap.setPrinter(printer);
  const first = await h.call('POST', '/v1/receipts/RJ-JAI-0001-T1/print', undefined, op);
  t.match(first.body, { duplicate: false, prints: 1 }, 'the refused attempt did not use up the original');
  t.match(printer.printed[0], { duplicate: false, doc: { kind: 'ekyc-ack', serviceCode: 'EKYC', chargedPaise: 0, txnId: 'RJ-JAI-0001-T1', receiptNo: 'RJ-JAI-0001-R1', operator: 'op1', kioskId: 'RJ-JAI-0001' } });
});
