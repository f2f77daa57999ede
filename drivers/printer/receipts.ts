/**
 * Receipt templates: the e-KYC acknowledgement and the generic service receipt, bilingual
 * (Hindi first, as on the state's own forms), rendered to one raster image, followed by the
 * signed QR (printed natively with GS ( k, reference B2) and a cut. A reprint carries a
 * DUPLICATE banner top and bottom: a receipt is never printed twice without saying so.
 */
import {
  PAPER_DOTS, encodeJob, formatIst, formatRupees, signReceiptQr, type ImageLike, type JobBlock, type KeyInput, type PaperWidth, type Receipt,
} from '../../protocols/escpos/index.js';
import { renderLines, type Line } from './render/layout.js';

export interface ReceiptRenderOptions {
  paper: PaperWidth;
  /** Print the DUPLICATE banner (reprints). */
  duplicate?: boolean;
}

const DUPLICATE = 'प्रतिलिपि / DUPLICATE';

/** Aadhaar shown masked as on UIDAI's own printouts: only the last four digits. */
const maskAadhaar = (last4: string): string => `XXXX XXXX ${last4}`;

export function receiptLines(r: Receipt, opts: ReceiptRenderOptions): Line[] {
  const big = opts.paper === 58 ? 26 : 30;
  const lines: Line[] = [];
  if (opts.duplicate) lines.push({ t: 'banner', text: DUPLICATE }, { t: 'gap', px: 6 });
  lines.push(
    { t: 'text', text: r.kioskName, size: big, bold: true, align: 'center' },
    { t: 'text', text: `कियोस्क / Kiosk ${r.kioskId}`, align: 'center' },
    { t: 'rule' },
    {
      t: 'text',
      text: r.kind === 'ekyc-ack' ? 'ई-केवाईसी पावती' : 'पावती',
      size: big,
      bold: true,
      align: 'center',
    },
    { t: 'text', text: r.kind === 'ekyc-ack' ? 'e-KYC Acknowledgement' : 'Service Receipt', bold: true, align: 'center' },
    { t: 'rule', dashed: true },
    { t: 'kv', label: 'रसीद सं. / Receipt No', value: r.receiptNo },
    { t: 'kv', label: 'लेनदेन / Txn ID', value: r.txnId },
    { t: 'kv', label: 'दिनांक / Date', value: formatIst(r.issuedAt), bold: false },
    { t: 'kv', label: 'ऑपरेटर / Operator', value: r.operator, bold: false },
    { t: 'text', text: 'सेवा / Service:' },
    { t: 'text', text: `${r.serviceHi} / ${r.serviceEn}`, bold: true },
  );
  if (r.kind === 'ekyc-ack') {
    if (r.citizenName) lines.push({ t: 'kv', label: 'नागरिक / Citizen', value: r.citizenName });
    if (r.aadhaarLast4) lines.push({ t: 'kv', label: 'आधार / Aadhaar', value: maskAadhaar(r.aadhaarLast4) });
    lines.push({ t: 'kv', label: 'स्थिति / Status', value: 'सफल / Successful' });
  }
  lines.push(
    { t: 'rule', dashed: true },
    { t: 'kv', label: 'आधिकारिक दर / Official rate', value: formatRupees(r.officialPaise), bold: false },
    { t: 'kv', label: 'प्राप्त राशि / Amount paid', value: formatRupees(r.chargedPaise) },
  );
  if (r.officialPaise === 0) lines.push({ t: 'text', text: 'यह सेवा निःशुल्क है / This service is free', align: 'center' });
  lines.push(
    { t: 'rule' },
    { t: 'text', text: 'निर्धारित दर से अधिक शुल्क न दें।', size: opts.paper === 58 ? 19 : 21, align: 'center' },
    { t: 'text', text: 'Do not pay above the official rate.', size: opts.paper === 58 ? 19 : 21, align: 'center' },
    { t: 'text', text: 'QR कोड से सत्यापित करें / Verify by QR', size: opts.paper === 58 ? 19 : 21, align: 'center' },
  );
  if (opts.duplicate) lines.push({ t: 'gap', px: 6 }, { t: 'banner', text: DUPLICATE });
  return lines;
}

export function renderReceipt(r: Receipt, opts: ReceiptRenderOptions): ImageLike {
  return renderLines(receiptLines(r, opts), { width: PAPER_DOTS[opts.paper] });
}

export interface ReceiptJob {
  bytes: Uint8Array;
  /** The signed QR text (what central verifies). */
  qr: string;
  image: ImageLike;
}

/** The print job for a receipt: raster text, the signed QR, feed and cut. */
export function receiptJob(r: Receipt, opts: ReceiptRenderOptions & { privateKey: KeyInput }): ReceiptJob {
  const qr = signReceiptQr(r, opts.privateKey);
  const image = renderReceipt(r, opts);
  const blocks: JobBlock[] = [
    { type: 'image', image },
    { type: 'qr', data: qr, size: opts.paper === 58 ? 4 : 6, errorLevel: 'm' },
    { type: 'cut' },
  ];
  return { bytes: encodeJob(blocks, { paper: opts.paper }), qr, image };
}

/** The technician's test page (`kioskctl printer test`): Hindi and English, QR, barcode, cut. */
export function testPageJob(paper: PaperWidth, at: number): Uint8Array {
  const image = renderLines(
    [
      { t: 'text', text: 'परीक्षण पृष्ठ / Test page', size: paper === 58 ? 26 : 30, bold: true, align: 'center' },
      { t: 'rule' },
      { t: 'text', text: 'क्षत्रिय प्रिंट हिंदी र्क द्ध श्र ज्ञ कि' },
      { t: 'text', text: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 ₹' },
      { t: 'kv', label: 'समय / Time', value: formatIst(at), bold: false },
      { t: 'rule', dashed: true },
    ],
    { width: PAPER_DOTS[paper] },
  );
  return encodeJob(
    [
      { type: 'image', image },
      { type: 'text', text: `ESC/POS text ${paper}mm`, bold: true, align: 'center' },
      { type: 'qr', data: 'KIOSK PRINTER TEST', size: 4 },
      { type: 'barcode', data: 'KIOSK-TEST' },
      { type: 'cut' },
    ],
    { paper },
  );
}

/** The queue's renderer for receipt jobs: `doc` is a prepared Receipt. */
export function receiptRenderer(opts: { paper: PaperWidth; privateKey: KeyInput }): (doc: unknown, duplicate: boolean) => Uint8Array {
  return (doc, duplicate) => receiptJob(doc as Receipt, { paper: opts.paper, privateKey: opts.privateKey, duplicate }).bytes;
}
