import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { associatedData, keyIdOf, open, parsePrivateKey, parsePublicKey, rawPublicKey, seal, SealError, type SealedBox } from '../../../protocols/seal/seal.js';

const central = generateKeyPairSync('x25519');
const keyId = keyIdOf(central.publicKey);
const to = { publicKey: central.publicKey, keyId };
const ctx = { kioskId: 'RJ-JAI-0001', captureId: '5b7c3f0e-9a51-4b8e-8a43-3d0f1f6f2c11', capturedAt: 1_760_000_000_000 };
const plain = Buffer.from('{"citizenRef":"samagra:123456789","pidData":"<PidData/>"}');

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof SealError ? err.code : 'other';
  }
};

t.test('seal then open round-trips; each seal is fresh', (t) => {
  const a = seal(plain, to, ctx);
  const b = seal(plain, to, ctx);
  t.equal(a.kid, keyId);
  t.match(keyId, /^x25519:[0-9a-f]{16}$/);
  t.not(a.epk, b.epk, 'ephemeral key per capture');
  t.not(a.ct, b.ct);
  t.same(open(a, central.privateKey, keyId, ctx), plain);
  t.notOk(JSON.stringify(a).includes('samagra'), 'no plaintext in the box');
  t.end();
});

t.test('the associated data binds kiosk, capture id and time', (t) => {
  const box = seal(plain, to, ctx);
  t.equal(code(() => open(box, central.privateKey, keyId, { ...ctx, kioskId: 'RJ-JAI-0002' })), 'SEAL_AUTH', 'another kiosk');
  t.equal(code(() => open(box, central.privateKey, keyId, { ...ctx, captureId: ctx.captureId.replace('5b', '6b') })), 'SEAL_AUTH', 'another id');
  t.equal(code(() => open(box, central.privateKey, keyId, { ...ctx, capturedAt: ctx.capturedAt + 1 })), 'SEAL_AUTH', 'another time');
  t.same(associatedData(keyId, ctx).toString(), JSON.stringify(['kiosk-agent/capture/v1', keyId, ctx.kioskId, ctx.captureId, ctx.capturedAt]));
  t.end();
});

t.test('tampering with any part fails; wrong key id or key is refused', (t) => {
  const box = seal(plain, to, ctx);
  const flip = (s: string): string => {
    const b = Buffer.from(s, 'base64url');
    b[0]! ^= 1;
    return b.toString('base64url');
  };
  for (const f of ['ct', 'tag', 'iv', 'epk'] as const) {
    t.equal(code(() => open({ ...box, [f]: flip(box[f]) }, central.privateKey, keyId, ctx)), 'SEAL_AUTH', `flipped ${f}`);
  }
  t.equal(code(() => open({ ...box, kid: 'x25519:0000000000000000' }, central.privateKey, keyId, ctx)), 'SEAL_KID');
  t.equal(code(() => open({ ...box, iv: 'AAAA' }, central.privateKey, keyId, ctx)), 'SEAL_FORMAT');
  t.equal(code(() => open({ ...box, v: 2 } as unknown as SealedBox, central.privateKey, keyId, ctx)), 'SEAL_FORMAT');
  const other = generateKeyPairSync('x25519');
  t.equal(code(() => open(box, other.privateKey, keyId, ctx)), 'SEAL_AUTH', 'another private key');
  t.end();
});

t.test('keys from configuration: raw base64, PEM; errors never echo the key', (t) => {
  const raw = rawPublicKey(central.publicKey).toString('base64');
  t.equal(keyIdOf(parsePublicKey(raw)), keyId);
  t.equal(keyIdOf(parsePublicKey(central.publicKey.export({ type: 'spki', format: 'pem' }).toString())), keyId);
  t.equal(code(() => parsePublicKey('AAAA')), 'SEAL_KEY');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  t.equal(code(() => parsePublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString())), 'SEAL_KEY');
  t.equal(code(() => parsePrivateKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }))), 'SEAL_KEY');
  t.equal(keyIdOf(central.publicKey), keyIdOf(parsePublicKey(raw)));
  try {
    parsePublicKey('not-a-key-at-all-secret');
  } catch (err) {
    t.notMatch((err as Error).message, /secret/);
  }
  t.end();
});
