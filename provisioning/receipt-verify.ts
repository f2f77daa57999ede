/**
 * `kioskctl receipt verify <QR text | file>`: checks a scanned receipt QR against the kiosk's
 * Ed25519 public key — the same verifyReceiptQr central uses. The key is `--key FILE` (a PEM, as
 * central keeps it), else the `.pub` beside this kiosk's `devices.printer.deviceKey`. Needs no
 * running agent: it reads the key file only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { formatIst, formatRupees, verifyReceiptQr } from '../protocols/escpos/index.js';
import { publicKeyPath } from '../agent/printer/device-key.js';

export interface ReceiptVerifyOptions {
  /** The kiosk's device key path from its configuration, when there is one. */
  deviceKey?: string | undefined;
  keyFile?: string | undefined;
  json?: boolean | undefined;
  out: (s: string) => void;
  err: (s: string) => void;
}

export const RECEIPT_HELP = `  receipt verify QR|FILE   check a receipt QR's signature (--key PEM, else this kiosk's public key)`;

export function receiptVerifyCommand(args: string[], o: ReceiptVerifyOptions): number {
  const [sub, input] = args;
  if (sub !== 'verify' || input === undefined) {
    o.err('kioskctl: receipt verify needs the QR text (KR1|…) or a file holding it\n');
    return 64;
  }
  const text = input.startsWith('KR1|') || !existsSync(input) ? input : readFileSync(input, 'utf8').trim();
  const keyPath = o.keyFile ?? (o.deviceKey ? publicKeyPath(o.deviceKey) : undefined);
  if (!keyPath || !existsSync(keyPath)) {
    o.err(`kioskctl: no public key${keyPath ? ` at ${keyPath}` : ''}: give --key FILE (the kiosk's receipt public key, PEM)\n`);
    return 66;
  }
  const r = verifyReceiptQr(text, readFileSync(keyPath, 'utf8'));
  if (o.json) o.out(`${JSON.stringify(r)}\n`);
  else if (r.valid) {
    const f = r.fields;
    o.out(
      `VALID receipt ${f.receiptNo} of kiosk ${f.kioskId}\n` +
        `  transaction ${f.txnId}, service ${f.serviceCode} (${f.kind})\n` +
        `  charged ${formatRupees(f.chargedPaise)}, official rate ${formatRupees(f.officialPaise)}\n` +
        `  issued ${formatIst(f.issuedAtSec * 1000)}\n`,
    );
  } else o.out(`NOT VALID: ${r.reason} (${r.code})\n`);
  // 65 (data error): a forged or altered receipt.
  return r.valid ? 0 : 65;
}
