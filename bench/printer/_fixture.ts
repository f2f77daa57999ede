/** A typical Hindi receipt for the printer benchmarks (same shape as the golden test's). */
import { prepareReceipt, type Receipt } from '../../protocols/escpos/index.js';

export const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

export const RECEIPT: Receipt = prepareReceipt(
  {
    kind: 'ekyc-ack', kioskId: 'MP-BPL-0107', kioskName: 'एमपी ऑनलाइन कियोस्क भोपाल', operator: 'राजेश कुमार', serviceCode: 'ekyc',
    chargedPaise: 0, txnId: 'T20261124-000042', receiptNo: 'R-2026-000117', issuedAt: Date.UTC(2026, 10, 24, 8, 7),
    citizenName: 'श्रीमती क्षमा त्रिपाठी', aadhaarLast4: '4821',
  },
  { ekyc: { officialPaise: 0, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' } },
);

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
