import t, { type Test } from 'tap';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { decodeEscpos, prepareReceipt, textLines, toPrivateKey, verifyReceiptQr, type ImageLike, type RateList } from '../../../protocols/escpos/index.js';
import { receiptJob, receiptLines, testPageJob } from '../../../drivers/printer/receipts.js';
import { renderLines } from '../../../drivers/printer/render/layout.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { serveTcp } from '../../../drivers/printer/sim-server.js';
import { tcpLink } from '../../../drivers/printer/link-tcp.js';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { imageToPng, pageToPng, rastersOf } from '../../../drivers/printer/sim-png.js';
import { silentLogger } from '../../../drivers/common/logger.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/printer');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** Share of pixels allowed to differ: anti-aliasing may move by a Skia/FreeType update. */
const TOLERANCE = 0.005;

const RATES: RateList = {
  ekyc: { officialPaise: 0, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' },
  'caste-cert': { officialPaise: 5000, nameEn: 'Caste certificate', nameHi: 'जाति प्रमाण पत्र' },
};
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const EKYC = prepareReceipt({
  kind: 'ekyc-ack', kioskId: 'MP-BPL-0107', kioskName: 'एमपी ऑनलाइन कियोस्क भोपाल', operator: 'राजेश कुमार', serviceCode: 'ekyc',
  chargedPaise: 0, txnId: 'T20261124-000042', receiptNo: 'R-2026-000117', issuedAt: Date.UTC(2026, 10, 24, 8, 7),
  citizenName: 'श्रीमती क्षमा त्रिपाठी', aadhaarLast4: '4821',
}, RATES);
const SERVICE = prepareReceipt({
  kind: 'service', kioskId: 'RJ-JPR-0042', kioskName: 'ई-मित्र सांगानेर, जयपुर', operator: 'सुनीता शर्मा', serviceCode: 'caste-cert',
  chargedPaise: 5000, txnId: 'T20261124-000043', receiptNo: 'R-2026-000118', issuedAt: Date.UTC(2026, 10, 24, 9, 30),
}, RATES);

async function pixels(png: Buffer): Promise<ImageLike> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, img.width, img.height);
  return { width: d.width, height: d.height, data: d.data };
}

async function compareGolden(t: Test, name: string, img: ImageLike): Promise<void> {
  const file = join(FIXTURES, name);
  const png = imageToPng(img);
  if (UPDATE || !existsSync(file)) {
    mkdirSync(FIXTURES, { recursive: true });
    writeFileSync(file, png);
    if (!UPDATE) t.fail(`golden ${name} was missing and has been written; review and commit it`);
    return;
  }
  const want = await pixels(readFileSync(file));
  t.equal(img.width, want.width, `${name} width`);
  t.equal(img.height, want.height, `${name} height`);
  let diff = 0;
  const n = Math.min(img.data.length, want.data.length) / 4;
  for (let i = 0; i < n; i++) if (img.data[i * 4]! < 128 !== want.data[i * 4]! < 128) diff++;
  t.ok(diff / n <= TOLERANCE, `${name}: ${diff} of ${n} pixels differ (≤ ${TOLERANCE * 100}%)`);
}



t.test('Hindi e-KYC acknowledgement, 58 mm, through the TCP simulator, matches the golden image', async (t) => {
  const sim = new PrinterSimulator();
  const server = await serveTcp(sim, { port: 0 });
  const driver = new PrinterDriver({ openLink: tcpLink({ host: '127.0.0.1', port: server.port }), logger: silentLogger, pollIntervalMs: 60_000, statusTimeoutMs: 500 });
  t.teardown(async () => {
    await driver.stop();
    await server.close();
  });
  await driver.start();
  const job = receiptJob(EKYC, { paper: 58, privateKey: SEED });
  t.equal(await driver.send(job.bytes), 'printed');
  const page = sim.pages[0]!;
  t.ok(page.cut);
  const qr = page.ops.find((o) => o.kind === 'qr');
  t.equal(qr?.kind === 'qr' && qr.text, job.qr, 'the printed QR is the signed one');
  t.match(verifyReceiptQr(job.qr, toPrivateKey(SEED)), { valid: true, fields: { receiptNo: 'R-2026-000117', chargedPaise: 0 } });
  const printed = rastersOf(page.ops, 384);
  t.equal(printed.height, job.image.height, 'every raster row arrived');
  await compareGolden(t, 'ekyc-ack-58.png', printed);
  const outDir = join(t.testdirName, 'png');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'page.png'), pageToPng(page.ops, 384));
  t.ok(readFileSync(join(outDir, 'page.png')).subarray(1, 4).toString() === 'PNG');
});

t.test('service receipt, 80 mm, reprint says DUPLICATE, matches the golden image', async (t) => {
  const job = receiptJob(SERVICE, { paper: 80, privateKey: SEED, duplicate: true });
  const ops = decodeEscpos(job.bytes);
  t.equal(job.image.width, 576);
  t.ok(ops.filter((o) => o.kind === 'raster').every((o) => o.kind === 'raster' && o.width === 576));
  t.ok(receiptLines(SERVICE, { paper: 80, duplicate: true }).some((l) => l.t === 'banner'));
  t.notOk(receiptLines(SERVICE, { paper: 80 }).some((l) => l.t === 'banner'));
  t.equal(receiptJob(SERVICE, { paper: 80, privateKey: SEED }).qr, job.qr, 'a reprint carries the same signed QR');
  await compareGolden(t, 'service-80-duplicate.png', rastersOf(ops, 576));
});

t.test('conjuncts are shaped: क्ष is one glyph narrower than क् + ष apart; ि goes before its consonant', (t) => {
  const scan = (text: string): { left: number; width: number; stemAt: number } => {
    const img = renderLines([{ t: 'text', text, size: 40 }], { width: 384, margin: 100 });
    let min = Infinity;
    let max = -1;
    let tallest = -1;
    let stemX = -1;
    for (let x = 0; x < img.width; x++) {
      let top = -1;
      let bot = -1;
      for (let y = 0; y < img.height; y++) {
        if (img.data[(y * img.width + x) * 4]! < 128) {
          if (top < 0) top = y;
          bot = y;
        }
      }
      if (top < 0) continue;
      min = Math.min(min, x);
      max = Math.max(max, x);
      if (bot - top > tallest) [tallest, stemX] = [bot - top, x];
    }
    return { left: min, width: max - min + 1, stemAt: (stemX - min) / (max - min) };
  };
  t.ok(scan('क्ष').width < scan('क्').width + scan('ष').width - 10, 'क्ष ligature');
  // ि is a tall stem written before the consonant it follows in memory: unshaped, the tallest
  // column would sit at the right of the cluster.
  t.ok(scan('कि').stemAt < 0.3, 'pre-base matra stem drawn left of क');
  t.end();
});

t.test('test page: Hindi raster, ESC/POS text, QR, barcode, cut', (t) => {
  const ops = decodeEscpos(testPageJob(58, Date.UTC(2026, 10, 24)));
  t.ok(ops.some((o) => o.kind === 'raster'));
  t.ok(textLines(ops).some((l) => l.includes('ESC/POS text 58mm')));
  t.match(ops.find((o) => o.kind === 'qr'), { text: 'KIOSK PRINTER TEST' });
  t.match(ops.find((o) => o.kind === 'barcode'), { symbology: 'code128' });
  t.equal(ops.filter((o) => o.kind === 'cut').length, 1);
  t.end();
});
