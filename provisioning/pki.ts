/**
 * The kiosk's keys: an Ed25519 key that signs receipt QR codes (Node's crypto), and a P-256 TLS key
 * with its CSR (CN = kiosk id) for the broker. X.509 requests come from @peculiar/x509 over Node's
 * WebCrypto; that library needs the reflect-metadata polyfill loaded first.
 */
import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export function newReceiptKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function publicPemOf(privatePem: string): string {
  return createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
}

export function newTlsKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function spkiDer(pemOrKey: string): Buffer {
  return createPublicKey(pemOrKey).export({ type: 'spki', format: 'der' });
}

/** A CSR for `kioskId`, signed with the TLS key. */
export async function createCsr(tlsKeyPem: string, kioskId: string): Promise<string> {
  const der = createPrivateKey(tlsKeyPem).export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, EC_ALG, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spkiDer(tlsKeyPem), EC_ALG, true, ['verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${kioskId}`,
    keys: { privateKey, publicKey },
    signingAlgorithm: EC_ALG,
  });
  return csr.toString('pem') + '\n';
}

/** Whether an existing CSR still fits: same key, same CN. */
export function csrMatches(csrPem: string, tlsKeyPem: string, kioskId: string): boolean {
  try {
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    const cn = csr.subjectName.getField('CN');
    return cn.length === 1 && cn[0] === kioskId && Buffer.from(csr.publicKey.rawData).equals(spkiDer(tlsKeyPem));
  } catch {
    return false;
  }
}

export interface CertFacts {
  commonName: string | undefined;
  fingerprint: string;
  notAfter: Date;
  keyMatches: boolean;
}

export function certFacts(certPem: string, tlsKeyPem?: string): CertFacts {
  const c = new X509Certificate(certPem);
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(c.subject)?.[1];
  return {
    commonName: cn,
    fingerprint: createHash('sha256').update(c.raw).digest('hex'),
    notAfter: new Date(c.validTo),
    keyMatches: tlsKeyPem ? spkiDer(c.publicKey.export({ type: 'spki', format: 'pem' }).toString()).equals(spkiDer(tlsKeyPem)) : false,
  };
}

/** Colon-separated pairs, the way a technician compares a fingerprint by eye. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}
