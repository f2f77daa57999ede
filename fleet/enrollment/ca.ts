/**
 * The fleet's kiosk CA: checks a kiosk's CSR and issues its client certificate, CN = kiosk id, so
 * that a broker with `use_identity_as_username` confines it to `kiosk/v1/<id>/#`. `createCa` and
 * `issueCertificate` for servers also serve tests and a pilot that has no PKI of its own.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type CryptoKey, EC_ALG, generateEcKey, importPrivateKeyPem, privateKeyPem, sha256Hex, x509 } from './x509.js';

export interface CaMaterial {
  cert: x509.X509Certificate;
  keys: { privateKey: CryptoKey; publicKey: CryptoKey };
}

export interface IssuedCertificate {
  pem: string;
  fingerprint: string;
  serial: string;
  notAfter: Date;
}

export class CsrError extends Error {
  override name = 'CsrError';
}

const DAY = 86_400_000;

function serial(): string {
  // Positive 128-bit serial: clear the top bit.
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

export async function loadCa(certPath: string, keyPath: string): Promise<CaMaterial> {
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  const cert = new x509.X509Certificate(certPem);
  const keys = await importPrivateKeyPem(keyPem);
  return { cert, keys };
}

export async function createCa(name: string, now = new Date(), days = 3650): Promise<CaMaterial & { certPem: string; keyPem: string }> {
  const keys = await generateEcKey();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + days * DAY),
    keys,
    signingAlgorithm: EC_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

export interface IssueOptions {
  commonName: string;
  publicKey: CryptoKey;
  usage: 'client' | 'server';
  /** Server certificates: DNS names and IP addresses. */
  altNames?: { dns?: string[]; ip?: string[] };
  days?: number;
  now?: Date;
}

export async function issueCertificate(ca: CaMaterial, o: IssueOptions): Promise<IssuedCertificate> {
  const now = o.now ?? new Date();
  const notAfter = new Date(now.getTime() + (o.days ?? 825) * DAY);
  const serialNumber = serial();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([o.usage === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    await x509.SubjectKeyIdentifierExtension.create(o.publicKey),
  ];
  const alt = [...(o.altNames?.dns ?? []).map((v) => ({ type: 'dns' as const, value: v })), ...(o.altNames?.ip ?? []).map((v) => ({ type: 'ip' as const, value: v }))];
  if (alt.length) extensions.push(new x509.SubjectAlternativeNameExtension(alt));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=${o.commonName}`,
    issuer: ca.cert.subject,
    // Back-dated a little: a kiosk's clock may run behind until NTP has synced.
    notBefore: new Date(now.getTime() - DAY),
    notAfter,
    publicKey: o.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: EC_ALG,
    extensions,
  });
  return { pem: cert.toString('pem') + '\n', fingerprint: await sha256Hex(cert.rawData), serial: serialNumber, notAfter };
}

/** A fresh key and a certificate for it: for brokers, the fleet's own client and claim credentials. */
export async function issueKeyAndCertificate(ca: CaMaterial, o: Omit<IssueOptions, 'publicKey'>): Promise<IssuedCertificate & { keyPem: string }> {
  const keys = await generateEcKey();
  const issued = await issueCertificate(ca, { ...o, publicKey: keys.publicKey });
  return { ...issued, keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Checks a kiosk's CSR: well formed, self-signed by the key it carries, asking for exactly the
 * kiosk id as CN. The certificate is issued with our own extensions, never the CSR's.
 */
export async function checkCsr(csrPem: string, kioskId: string): Promise<CryptoKey> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw new CsrError(`CSR does not parse: ${(err as Error).message}`);
  }
  if (!(await csr.verify())) throw new CsrError('CSR signature does not verify');
  const cn = csr.subjectName.getField('CN');
  if (cn.length !== 1 || cn[0] !== kioskId) throw new CsrError(`CSR subject CN is ${JSON.stringify(cn.join(','))}, expected ${kioskId}`);
  return (await csr.publicKey.export()) as CryptoKey;
}
