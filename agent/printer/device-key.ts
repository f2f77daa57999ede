/**
 * The kiosk's Ed25519 device key, which signs every receipt QR (DESIGN §2: a forged receipt is a
 * real problem in the field). Created once, on the first start with a printer, as a PKCS#8 PEM
 * file of mode 0600 with the public key beside it (`<path>.pub`, SPKI PEM) for central's
 * records and `kioskctl receipt verify`. The private key is never logged nor sent anywhere.
 */
import { generateKeyPairSync, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toPrivateKey } from '../../protocols/escpos/receipt-qr.js';

export interface DeviceKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  created: boolean;
  /** The file was readable by others and was tightened to 0600. */
  tightened: boolean;
  /** What could not be done and did not stop the start (a key file owned by another account). */
  warnings: string[];
}

export const publicKeyPath = (path: string): string => `${path}.pub`;

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  // writeFileSync's mode is filtered by the umask; say it again.
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export function loadOrCreateDeviceKey(path: string): DeviceKey {
  let created = false;
  let tightened = false;
  const warnings: string[] = [];
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    created = true;
  } else if ((statSync(path).mode & 0o077) !== 0) {
    try {
      chmodSync(path, 0o600);
      tightened = true;
    } catch (e) {
      warnings.push(`key file is readable by others and could not be set to 0600: ${(e as Error).message}`);
    }
  }
  const privateKey = toPrivateKey(readFileSync(path, 'utf8'));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const pub = publicKeyPath(path);
  try {
    if (!existsSync(pub) || readFileSync(pub, 'utf8') !== publicKeyPem) writeAtomic(pub, publicKeyPem, 0o644);
  } catch (e) {
    // The public half is a convenience copy (provisioning writes it too); signing needs only the key.
    warnings.push(`public key not written to ${pub}: ${(e as Error).message}`);
  }
  return { privateKey, publicKeyPem, created, tightened, warnings };
}
