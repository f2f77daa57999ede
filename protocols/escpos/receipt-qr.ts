/**
 * The signed QR on every receipt: the receipt's essentials plus an Ed25519 signature by the
 * kiosk's device key, so central (or `kioskctl receipt verify`) can tell a genuine receipt from
 * a forged or altered one (DESIGN §2, last rule). Uses only node:crypto.
 *
 * Text format, version 1 (fields never contain `|`; the Id alphabet in receipt.ts ensures it):
 *   KR1|<kioskId>|<receiptNo>|<txnId>|<serviceCode>|<officialPaise>|<chargedPaise>|<issuedAt s>|<kind>|<sig>
 * The signature covers the UTF-8 bytes of everything before the last `|`; `sig` is the 64-byte
 * Ed25519 signature in base64url. About 160 characters: QR version 8 at level M, well within
 * what 58 mm printers print natively (GS ( k, reference B2).
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { EscposError, EscposErrorCode } from './errors.js';
import type { Receipt, ReceiptKind } from './receipt.js';

export const RECEIPT_QR_PREFIX = 'KR1';

/** The fields a receipt QR carries. */
export interface ReceiptQrFields {
  kioskId: string;
  receiptNo: string;
  txnId: string;
  serviceCode: string;
  officialPaise: number;
  chargedPaise: number;
  /** Whole seconds (wall clock). */
  issuedAtSec: number;
  kind: ReceiptKind;
}

/** An Ed25519 key as a KeyObject, PEM text, or the raw 32 bytes (seed for private, point for public). */
export type KeyInput = KeyObject | string | Uint8Array;

// DER prefixes that wrap a raw 32-byte Ed25519 key (RFC 8410): SPKI public, PKCS#8 private.
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

const der = (prefix: Uint8Array, raw: Uint8Array): Buffer => Buffer.concat([prefix, raw]);

function keyError(msg: string): EscposError {
  return new EscposError(EscposErrorCode.KeyInvalid, msg);
}

export function toPrivateKey(k: KeyInput): KeyObject {
  let key: KeyObject;
  try {
    if (typeof k === 'string') key = createPrivateKey(k);
    else if (k instanceof Uint8Array) {
      if (k.length !== 32) throw keyError(`raw Ed25519 private key is 32 bytes, got ${k.length}`);
      key = createPrivateKey({ key: der(PKCS8_PREFIX, k), format: 'der', type: 'pkcs8' });
    } else key = k;
  } catch (e) {
    throw e instanceof EscposError ? e : keyError(`private key: ${(e as Error).message}`);
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw keyError('not an Ed25519 private key');
  return key;
}

export function toPublicKey(k: KeyInput): KeyObject {
  let key: KeyObject;
  try {
    if (typeof k === 'string') key = createPublicKey(k);
    else if (k instanceof Uint8Array) {
      if (k.length !== 32) throw keyError(`raw Ed25519 public key is 32 bytes, got ${k.length}`);
      key = createPublicKey({ key: der(SPKI_PREFIX, k), format: 'der', type: 'spki' });
    } else key = k.type === 'private' ? createPublicKey(k) : k;
  } catch (e) {
    throw e instanceof EscposError ? e : keyError(`public key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyError('not an Ed25519 public key');
  return key;
}

export function qrFieldsOf(r: Receipt): ReceiptQrFields {
  return {
    kioskId: r.kioskId, receiptNo: r.receiptNo, txnId: r.txnId, serviceCode: r.serviceCode,
    officialPaise: r.officialPaise, chargedPaise: r.chargedPaise, issuedAtSec: Math.floor(r.issuedAt / 1000), kind: r.kind,
  };
}

function body(f: ReceiptQrFields): string {
  return [RECEIPT_QR_PREFIX, f.kioskId, f.receiptNo, f.txnId, f.serviceCode, f.officialPaise, f.chargedPaise, f.issuedAtSec, f.kind].join('|');
}

/** The QR text for a receipt, signed with the kiosk's device key. */
export function signReceiptQr(r: Receipt, privateKey: KeyInput): string {
  const b = body(qrFieldsOf(r));
  const sig = sign(null, Buffer.from(b, 'utf8'), toPrivateKey(privateKey));
  return `${b}|${sig.toString('base64url')}`;
}

export type VerifyResult =
  | { valid: true; fields: ReceiptQrFields }
  | { valid: false; code: EscposErrorCode; reason: string; fields?: ReceiptQrFields };

const INT = /^(0|[1-9]\d{0,14})$/;
const ID = /^[A-Za-z0-9._:-]{1,48}$/;

/** Parses QR text without checking the signature. Never throws. */
export function parseReceiptQr(text: string): { fields: ReceiptQrFields; body: string; sig: string } | { error: string } {
  if (typeof text !== 'string' || text.length > 1024) return { error: 'not a receipt QR' };
  const parts = text.trim().split('|');
  if (parts.length !== 10 || parts[0] !== RECEIPT_QR_PREFIX) return { error: `expected ${RECEIPT_QR_PREFIX} with 10 fields` };
  const [, kioskId, receiptNo, txnId, serviceCode, off, ch, at, kind, sig] = parts;
  if (![kioskId, receiptNo, txnId, serviceCode].every((s) => ID.test(s ?? ''))) return { error: 'bad identifier field' };
  if (![off, ch, at].every((s) => INT.test(s ?? ''))) return { error: 'bad number field' };
  if (kind !== 'ekyc-ack' && kind !== 'service') return { error: 'bad kind' };
  if (!/^[A-Za-z0-9_-]{86}$/.test(sig ?? '')) return { error: 'bad signature field' };
  const fields: ReceiptQrFields = {
    kioskId: kioskId!, receiptNo: receiptNo!, txnId: txnId!, serviceCode: serviceCode!,
    officialPaise: Number(off), chargedPaise: Number(ch), issuedAtSec: Number(at), kind,
  };
  return { fields, body: parts.slice(0, 9).join('|'), sig: sig! };
}

/**
 * Central's check of a scanned receipt QR. `key` is the kiosk's public key, or a lookup from
 * kiosk id to key (return undefined for an unknown kiosk). Never throws on bad input: the
 * result carries a stable code (QrMalformed, QrBadSignature, KeyInvalid).
 */
export function verifyReceiptQr(text: string, key: KeyInput | ((kioskId: string) => KeyInput | undefined)): VerifyResult {
  const p = parseReceiptQr(text);
  if ('error' in p) return { valid: false, code: EscposErrorCode.QrMalformed, reason: p.error };
  let pub: KeyObject;
  try {
    const k = typeof key === 'function' ? key(p.fields.kioskId) : key;
    if (k === undefined) return { valid: false, code: EscposErrorCode.KeyInvalid, reason: `no key for kiosk ${p.fields.kioskId}`, fields: p.fields };
    pub = toPublicKey(k);
  } catch (e) {
    return { valid: false, code: EscposErrorCode.KeyInvalid, reason: (e as Error).message, fields: p.fields };
  }
  const ok = verify(null, Buffer.from(p.body, 'utf8'), pub, Buffer.from(p.sig, 'base64url'));
  if (!ok) return { valid: false, code: EscposErrorCode.QrBadSignature, reason: 'signature does not match the kiosk key', fields: p.fields };
  if (p.fields.chargedPaise > p.fields.officialPaise) {
    // Signed, but the kiosk charged above the rate it printed: genuine and still refused.
    return { valid: false, code: EscposErrorCode.AboveOfficialRate, reason: 'charged above the official rate', fields: p.fields };
  }
  return { valid: true, fields: p.fields };
}

/** Names of the fields where what is printed on the paper differs from the verified QR. */
export function printedMismatches(fields: ReceiptQrFields, printed: Partial<ReceiptQrFields>): (keyof ReceiptQrFields)[] {
  return (Object.keys(printed) as (keyof ReceiptQrFields)[]).filter((k) => printed[k] !== undefined && printed[k] !== fields[k]);
}
