/**
 * @peculiar/x509 over Node's WebCrypto. The library resolves its internals through tsyringe,
 * which needs the reflect-metadata polyfill loaded before it.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// The project compiles without the DOM library, so WebCrypto's types come from Node's.
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
export const subtle = webcrypto.subtle;
export const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function generateEcKey(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_ALG, true, ['sign', 'verify']));
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await subtle.exportKey('pkcs8', key));
}

export async function importPrivateKeyPem(text: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const der = Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const privateKey = await subtle.importKey('pkcs8', der, EC_ALG, true, ['sign']);
  // WebCrypto cannot derive the public half; a JWK round trip without `d` gives it.
  const jwk = await subtle.exportKey('jwk', privateKey);
  delete jwk.d;
  jwk.key_ops = ['verify'];
  const publicKey = await subtle.importKey('jwk', jwk, EC_ALG, true, ['verify']);
  return { privateKey, publicKey };
}

export async function sha256Hex(der: ArrayBuffer): Promise<string> {
  return Buffer.from(await subtle.digest('SHA-256', der)).toString('hex');
}
