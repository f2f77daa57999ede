/**
 * The provisioning receipt the technician leaves at the kiosk: kiosk id, district, the client
 * certificate's fingerprint and a QR code carrying both, so central can match the paper to the
 * enrollment record.
 */
import { encodeJob, type PaperWidth, PAPER_DOTS } from '../protocols/escpos/index.js';
import { Backoff } from '../drivers/common/backoff.js';
import { silentLogger } from '../drivers/common/logger.js';
import type { OpenLink } from '../drivers/printer/link.js';
import { PrinterDriver } from '../drivers/printer/printer.js';
import { renderLines } from '../drivers/printer/render/layout.js';
import { formatFingerprint } from './pki.js';

export interface ProvisioningFacts {
  kioskId: string;
  district: string;
  lsp: string;
  fingerprint: string;
  at: string;
}

export function receiptQr(f: ProvisioningFacts): string {
  return `KIOSK:${f.kioskId};CERT-SHA256:${f.fingerprint}`;
}

export function receiptText(f: ProvisioningFacts): string {
  return [
    'प्रोविज़निंग रसीद / Provisioning receipt',
    `Kiosk / कियोस्क: ${f.kioskId}`,
    `District / ज़िला: ${f.district}   LSP: ${f.lsp}`,
    `Certificate SHA-256 / प्रमाणपत्र:`,
    `  ${formatFingerprint(f.fingerprint)}`,
    `Time / समय: ${f.at}`,
    `QR: ${receiptQr(f)}`,
    '',
  ].join('\n');
}

export async function printReceipt(openLink: OpenLink, paper: PaperWidth, f: ProvisioningFacts): Promise<void> {
  const fp = formatFingerprint(f.fingerprint);
  const image = renderLines(
    [
      { t: 'text', text: 'प्रोविज़निंग रसीद / Provisioning receipt', bold: true, align: 'center' },
      { t: 'rule' },
      { t: 'kv', label: 'कियोस्क / Kiosk', value: f.kioskId, bold: true },
      { t: 'kv', label: 'ज़िला / District', value: f.district, bold: false },
      { t: 'kv', label: 'LSP', value: f.lsp, bold: false },
      { t: 'text', text: fp.slice(0, 47) },
      { t: 'text', text: fp.slice(48) },
      { t: 'kv', label: 'समय / Time', value: f.at, bold: false },
    ],
    { width: PAPER_DOTS[paper] },
  );
  const job = encodeJob([{ type: 'image', image }, { type: 'qr', data: receiptQr(f), size: 4 }, { type: 'cut' }], { paper });
  const d = new PrinterDriver({ openLink, logger: silentLogger, statusTimeoutMs: 1000, pollIntervalMs: 3_600_000, backoff: new Backoff({ baseMs: 3_600_000, capMs: 3_600_000 }) });
  try {
    await d.start();
    if (d.lifecycle !== 'ready') throw new Error(d.lastError ?? 'printer not ready');
    await d.send(job);
  } finally {
    await d.stop();
  }
}
