import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import {
  EscposErrorCode, checkRate, formatIst, formatRupees, prepareReceipt, printedMismatches, signReceiptQr, verifyReceiptQr,
  parseReceiptQr, toPrivateKey, toPublicKey, type RateList, type ReceiptRequest,
} from '../../../protocols/escpos/index.js';

const RATES: RateList = {
  'ekyc': { officialPaise: 0, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' },
  'elec-bill': { officialPaise: 1500, nameEn: 'Electricity bill payment', nameHi: 'बिजली बिल भुगतान' },
};
const REQ: ReceiptRequest = {
  kind: 'service', kioskId: 'RJ-JPR-0042', kioskName: 'e-Mitra Sanganer', operator: 'op-7 Sunita', serviceCode: 'elec-bill',
  chargedPaise: 1500, txnId: 'T20261124-0001', receiptNo: 'R-000123', issuedAt: Date.UTC(2026, 10, 24, 8, 7, 0),
};
// Fixed seed so the signature (deterministic in Ed25519) is stable across runs.
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

t.test('money is paise, shown in Indian grouping', (t) => {
  t.equal(formatRupees(0), '₹0.00');
  t.equal(formatRupees(1500), '₹15.00');
  t.equal(formatRupees(12345678), '₹1,23,456.78');
  t.equal(formatRupees(10_000_000_00), '₹1,00,00,000.00');
  t.throws(() => formatRupees(1.5), { code: EscposErrorCode.MoneyNotPaise });
  t.equal(formatIst(Date.UTC(2026, 10, 24, 20, 45)), '25-11-2026 02:15 IST');
  t.end();
});

t.test('rate rule: above the official rate is refused, at or below is fine', (t) => {
  t.equal(checkRate(RATES, 'elec-bill', 1500).officialPaise, 1500);
  t.equal(checkRate(RATES, 'elec-bill', 1000).officialPaise, 1500);
  t.throws(() => checkRate(RATES, 'elec-bill', 1501), { code: EscposErrorCode.AboveOfficialRate, context: { chargedPaise: 1501, officialPaise: 1500 } });
  t.throws(() => checkRate(RATES, 'ekyc', 1), { code: EscposErrorCode.AboveOfficialRate }, 'e-KYC is free to the citizen');
  t.throws(() => checkRate(RATES, 'passport', 0), { code: EscposErrorCode.UnknownService });
  t.throws(() => checkRate(RATES, 'toString', 0), { code: EscposErrorCode.UnknownService }, 'no prototype keys');
  t.throws(() => checkRate(RATES, 'elec-bill', 15.0001), { code: EscposErrorCode.MoneyNotPaise });
  t.throws(() => checkRate(RATES, 'elec-bill', '1500'), { code: EscposErrorCode.MoneyNotPaise });
  t.throws(() => prepareReceipt({ ...REQ, chargedPaise: 2000 }, RATES), { code: EscposErrorCode.AboveOfficialRate });
  t.throws(() => prepareReceipt({ ...REQ, txnId: 'a|b' }, RATES), { code: EscposErrorCode.ReceiptInvalid });
  const r = prepareReceipt(REQ, RATES);
  t.match(r, { officialPaise: 1500, serviceHi: 'बिजली बिल भुगतान', chargedPaise: 1500 });
  t.end();
});

t.test('signed QR verifies with the kiosk public key; any changed figure fails', (t) => {
  const r = prepareReceipt(REQ, RATES);
  const qr = signReceiptQr(r, SEED);
  t.match(qr, /^KR1\|RJ-JPR-0042\|R-000123\|T20261124-0001\|elec-bill\|1500\|1500\|\d+\|service\|[A-Za-z0-9_-]{86}$/);
  t.ok(qr.length < 200);
  const pub = toPublicKey(toPrivateKey(SEED));
  const ok = verifyReceiptQr(qr, pub);
  t.same(ok, { valid: true, fields: { kioskId: 'RJ-JPR-0042', receiptNo: 'R-000123', txnId: 'T20261124-0001', serviceCode: 'elec-bill', officialPaise: 1500, chargedPaise: 1500, issuedAtSec: Math.floor(REQ.issuedAt / 1000), kind: 'service' } });
  const raw = pub.export({ format: 'der', type: 'spki' }).subarray(12);
  t.equal(verifyReceiptQr(qr, Uint8Array.from(raw)).valid, true, 'raw 32-byte public key');
  t.equal(verifyReceiptQr(qr, pub.export({ format: 'pem', type: 'spki' }) as string).valid, true, 'PEM public key');
  t.equal(verifyReceiptQr(qr, (id) => (id === 'RJ-JPR-0042' ? pub : undefined)).valid, true, 'lookup by kiosk id');

  const parts = qr.split('|');
  for (const [i, v] of [[1, 'RJ-JPR-0043'], [2, 'R-000124'], [3, 'T20261124-0002'], [4, 'ekyc'], [5, '2500'], [6, '1400'], [7, '1'], [8, 'ekyc-ack']] as const) {
    const forged = [...parts];
    forged[i] = v;
    t.match(verifyReceiptQr(forged.join('|'), pub), { valid: false, code: EscposErrorCode.QrBadSignature }, `field ${i} changed`);
  }
  const other = generateKeyPairSync('ed25519').publicKey;
  t.match(verifyReceiptQr(qr, other), { valid: false, code: EscposErrorCode.QrBadSignature }, 'another kiosk key');
  t.match(verifyReceiptQr(qr, () => undefined), { valid: false, code: EscposErrorCode.KeyInvalid });
  t.match(verifyReceiptQr(qr, generateKeyPairSync('x25519').publicKey), { valid: false, code: EscposErrorCode.KeyInvalid });
  t.match(verifyReceiptQr(qr, Uint8Array.of(1, 2)), { valid: false, code: EscposErrorCode.KeyInvalid });
  for (const junk of ['', 'hello', 'KR1|a', `${qr}|x`, qr.replace('KR1', 'KR2'), 'KR1|a|b|c|d|x|1|1|service|' + 'A'.repeat(86), 'x'.repeat(5000)]) {
    t.match(verifyReceiptQr(junk, pub), { valid: false, code: EscposErrorCode.QrMalformed }, `malformed: ${junk.slice(0, 20)}`);
  }
  t.ok('error' in parseReceiptQr(42 as unknown as string));
  t.same(printedMismatches(ok.valid ? ok.fields : ({} as never), { chargedPaise: 1500, receiptNo: 'R-000999' }), ['receiptNo']);
  t.end();
});

t.test('a signed receipt charging above its printed rate is still refused by the verifier', (t) => {
  const r = { ...prepareReceipt(REQ, RATES), chargedPaise: 9999 };
  const res = verifyReceiptQr(signReceiptQr(r, SEED), toPrivateKey(SEED));
  t.match(res, { valid: false, code: EscposErrorCode.AboveOfficialRate });
  t.end();
});

t.test('bad private keys are coded', (t) => {
  const r = prepareReceipt(REQ, RATES);
  t.throws(() => signReceiptQr(r, Uint8Array.of(1)), { code: EscposErrorCode.KeyInvalid });
  t.throws(() => signReceiptQr(r, 'not a pem'), { code: EscposErrorCode.KeyInvalid });
  t.throws(() => signReceiptQr(r, generateKeyPairSync('ed25519').publicKey), { code: EscposErrorCode.KeyInvalid });
  t.end();
});
