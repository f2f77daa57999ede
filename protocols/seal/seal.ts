/**
 * Capture sealing (DESIGN §6): a capture is sealed to central's public key so that only the fleet's
 * capture receiver can open it; the kiosk that sealed it cannot read it back (it keeps no key).
 *
 *   ephemeral X25519 key pair per capture ──► ECDH with central's X25519 public key
 *   HKDF-SHA256(shared, salt = epk ‖ recipient public key, info = SEAL_INFO) ──► 32-byte key
 *   AES-256-GCM(key, random 96-bit IV, AAD = [version, key id, kiosk id, capture id, captured at])
 *
 * The associated data binds the ciphertext to the kiosk, the capture id and the capture time: an
 * envelope moved to another kiosk's topic, or with its id or time edited, fails authentication at
 * the receiver. Pure: Node's crypto only, no I/O, no timers. Key material is zeroed after use.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

export const SEAL_VERSION = 1;
export const SEAL_ALG = 'X25519-HKDF-SHA256-A256GCM';
const SEAL_INFO = Buffer.from('kiosk-agent capture seal v1', 'latin1');
const AAD_LABEL = 'kiosk-agent/capture/v1';

export type SealErrorCode = 'SEAL_KEY' | 'SEAL_KID' | 'SEAL_FORMAT' | 'SEAL_AUTH';

/** Never carries key material or plaintext: only what failed. */
export class SealError extends Error {
  override name = 'SealError';
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the associated data binds (DESIGN §6: kiosk id, capture id and time). */
export interface SealContext {
  kioskId: string;
  captureId: string;
  /** Capture time, ms since the epoch, as carried in the envelope. */
  capturedAt: number;
}

/** The sealed part of an envelope; binary fields are base64url. */
export interface SealedBox {
  v: typeof SEAL_VERSION;
  alg: typeof SEAL_ALG;
  /** Id of central's key the capture was sealed to. */
  kid: string;
  /** The ephemeral X25519 public key, 32 bytes. */
  epk: string;
  iv: string;
  ct: string;
  tag: string;
}

export interface Recipient {
  publicKey: KeyObject;
  keyId: string;
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** The raw 32 bytes of an X25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'x25519') throw new SealError('SEAL_KEY', 'not an X25519 key');
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

/**
 * Reads central's public key from configuration: base64 (or base64url) of the raw 32 bytes, or
 * a PEM SPKI block.
 */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  try {
    if (t.startsWith('-----BEGIN')) {
      const k = createPublicKey(t);
      rawPublicKey(k);
      return k;
    }
    const raw = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (raw.length !== 32) throw new SealError('SEAL_KEY', 'an X25519 public key is 32 bytes');
    return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch (err) {
    if (err instanceof SealError) throw err;
    throw new SealError('SEAL_KEY', 'not an X25519 public key (base64 of 32 bytes, or PEM)');
  }
}

/** Reads the receiver's private key (PEM PKCS#8). */
export function parsePrivateKey(pem: string | Buffer): KeyObject {
  let k: KeyObject;
  try {
    k = createPrivateKey(pem);
  } catch {
    throw new SealError('SEAL_KEY', 'not a PEM private key');
  }
  if (k.asymmetricKeyType !== 'x25519') throw new SealError('SEAL_KEY', 'the capture key must be X25519');
  return k;
}

/** The key id pinned beside the key: `x25519:` + the first 16 hex digits of SHA-256(raw key). */
export function keyIdOf(publicKey: KeyObject): string {
  return `x25519:${createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16)}`;
}

/** The associated data, canonical: a JSON array in a fixed order. */
export function associatedData(kid: string, ctx: SealContext): Buffer {
  return Buffer.from(JSON.stringify([AAD_LABEL, kid, ctx.kioskId, ctx.captureId, ctx.capturedAt]), 'utf8');
}

/** HKDF over the X25519 shared secret; exported so tests can search for the derived key. */
export function deriveKey(shared: Uint8Array, epk: Uint8Array, recipient: Uint8Array): Buffer {
  const salt = Buffer.concat([epk, recipient]);
  return Buffer.from(hkdfSync('sha256', shared, salt, SEAL_INFO, 32));
}

export function seal(plaintext: Uint8Array, to: Recipient, ctx: SealContext): SealedBox {
  const eph = generateKeyPairSync('x25519');
  const epk = rawPublicKey(eph.publicKey);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: to.publicKey });
  const key = deriveKey(shared, epk, rawPublicKey(to.publicKey));
  shared.fill(0);
  try {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(associatedData(to.keyId, ctx));
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return { v: SEAL_VERSION, alg: SEAL_ALG, kid: to.keyId, epk: b64u(epk), iv: b64u(iv), ct: b64u(ct), tag: b64u(c.getAuthTag()) };
  } finally {
    key.fill(0);
  }
}

function field(box: SealedBox, name: 'epk' | 'iv' | 'ct' | 'tag', length?: number): Buffer {
  const v = box[name];
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]*$/.test(v)) throw new SealError('SEAL_FORMAT', `${name} is not base64url`);
  const b = Buffer.from(v, 'base64url');
  if (length !== undefined && b.length !== length) throw new SealError('SEAL_FORMAT', `${name} must be ${length} bytes`);
  return b;
}

/** The raw public key of a receiver's private key, computed once per key object. */
const recipients = new WeakMap<KeyObject, Buffer>();
function recipientRaw(privateKey: KeyObject): Buffer {
  let raw = recipients.get(privateKey);
  if (!raw) recipients.set(privateKey, (raw = rawPublicKey(createPublicKey(privateKey))));
  return raw;
}

/**
 * Opens a box with the receiver's private key and the context it claims; throws SealError
 * SEAL_KID (sealed to another key), SEAL_FORMAT, or SEAL_AUTH (tampered ciphertext, or an
 * associated datum — kiosk, capture id, time — that does not match what was sealed).
 */
export function open(box: SealedBox, privateKey: KeyObject, keyId: string, ctx: SealContext): Buffer {
  if (box.v !== SEAL_VERSION || box.alg !== SEAL_ALG) throw new SealError('SEAL_FORMAT', 'unknown seal version or algorithm');
  if (box.kid !== keyId) throw new SealError('SEAL_KID', 'sealed to a key this receiver does not hold');
  const epkRaw = field(box, 'epk', 32);
  const iv = field(box, 'iv', 12);
  const tag = field(box, 'tag', 16);
  const ct = field(box, 'ct');
  let epk: KeyObject;
  try {
    epk = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epkRaw.toString('base64url') }, format: 'jwk' });
  } catch {
    throw new SealError('SEAL_FORMAT', 'epk is not an X25519 key');
  }
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey: epk });
  } catch {
    // A low-order point gives no shared secret.
    throw new SealError('SEAL_AUTH', 'the envelope does not authenticate');
  }
  const key = deriveKey(shared, epkRaw, recipientRaw(privateKey));
  shared.fill(0);
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(associatedData(box.kid, ctx));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    throw new SealError('SEAL_AUTH', 'the envelope does not authenticate');
  } finally {
    key.fill(0);
  }
}
