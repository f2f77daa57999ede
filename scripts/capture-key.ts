/**
 * Makes central's capture key pair (DESIGN §6): writes the X25519 private key (PEM, mode 0600) for
 * `kiosk-fleet serve --capture-key PATH` and prints the `ekyc.central` section every kiosk pins.
 *
 *   node dist/scripts/capture-key.js /etc/kiosk-fleet/capture-key.pem
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { keyIdOf, rawPublicKey } from '../protocols/seal/seal.js';

export function makeCaptureKey(): { privatePem: string; central: { publicKey: string; keyId: string } } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    central: { publicKey: rawPublicKey(publicKey).toString('base64'), keyId: keyIdOf(publicKey) },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: capture-key PATH   (writes the private key there, prints the kiosks\' ekyc.central section)\n');
    process.exit(64);
  }
  if (existsSync(path)) {
    process.stderr.write(`capture-key: ${path} exists; not overwriting a key kiosks may already seal to\n`);
    process.exit(1);
  }
  const k = makeCaptureKey();
  writeFileSync(path, k.privatePem, { mode: 0o600, flag: 'wx' });
  process.stdout.write(`${JSON.stringify({ ekyc: { central: k.central } }, null, 2)}\n`);
}
