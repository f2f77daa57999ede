/**
 * Render time and byte size of a typical Hindi receipt (e-KYC acknowledgement) at 58 and 80 mm:
 * shaping + rasterising with @napi-rs/canvas, then the whole job (render, Ed25519-signed QR,
 * ESC/POS encoding). The first render includes loading the bundled fonts.
 */
import { renderReceipt, receiptJob } from '../../drivers/printer/receipts.js';
import type { BenchResult } from '../run.js';
import { RECEIPT, SEED, median } from './_fixture.js';

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const t0 = performance.now();
  renderReceipt(RECEIPT, { paper: 58 });
  out.push({ name: 'first render incl. font load, 58 mm', value: performance.now() - t0, unit: 'ms' });
  for (const paper of [58, 80] as const) {
    const render: number[] = [];
    const job: number[] = [];
    let bytes = 0;
    let rows = 0;
    for (let i = 0; i < 20; i++) {
      const a = performance.now();
      const img = renderReceipt(RECEIPT, { paper });
      render.push(performance.now() - a);
      rows = img.height;
      const b = performance.now();
      bytes = receiptJob(RECEIPT, { paper, privateKey: SEED }).bytes.length;
      job.push(performance.now() - b);
      await Promise.resolve();
    }
    out.push({ name: `render Hindi receipt, ${paper} mm`, value: median(render), unit: 'ms', note: `median of 20; ${paper === 58 ? 384 : 576}×${rows} dots` });
    out.push({ name: `render + sign + encode job, ${paper} mm`, value: median(job), unit: 'ms', note: 'median of 20' });
    out.push({ name: `job size, ${paper} mm`, value: bytes, unit: 'bytes', note: 'raster bands + native QR + cut' });
  }
  return out;
}
