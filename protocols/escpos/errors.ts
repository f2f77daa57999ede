/**
 * Errors of the ESC/POS protocol layer. Callers branch on `code`, never on message text
 * (codebase-conventions §3.9). Codes are stable strings grouped by concern:
 * decode (status/stream), encode (building a job), receipt (rate rules, signed QR).
 */
import { CodedError, codedGuard } from '../common/errors.js';

export const EscposErrorCode = {
  /** A status byte does not carry the fixed bits of the reply it was read as (ref B4). */
  StatusPattern: 'ESCPOS_STATUS_PATTERN',
  /** Wrong number of bytes for a status reply. */
  StatusLength: 'ESCPOS_STATUS_LENGTH',
  /** An image handed to the encoder is empty, too wide for the paper, or inconsistent. */
  ImageInvalid: 'ESCPOS_IMAGE_INVALID',
  /** The encoder library refused a block. */
  EncodeFailed: 'ESCPOS_ENCODE_FAILED',
  /** A receipt charges more than the official rate for its service (DESIGN §2). */
  AboveOfficialRate: 'RECEIPT_ABOVE_OFFICIAL_RATE',
  /** The service is not on the configured rate list. */
  UnknownService: 'RECEIPT_UNKNOWN_SERVICE',
  /** A money field is not a non-negative integer number of paise. */
  MoneyNotPaise: 'RECEIPT_MONEY_NOT_PAISE',
  /** A receipt or its QR payload does not have the expected shape. */
  ReceiptInvalid: 'RECEIPT_INVALID',
  /** The QR text is not a receipt QR of a version this code knows. */
  QrMalformed: 'RECEIPT_QR_MALFORMED',
  /** The QR is well-formed but its signature does not verify with the kiosk's key. */
  QrBadSignature: 'RECEIPT_QR_BAD_SIGNATURE',
  /** A key handed in is not an Ed25519 key. */
  KeyInvalid: 'RECEIPT_KEY_INVALID',
} as const;
export type EscposErrorCode = (typeof EscposErrorCode)[keyof typeof EscposErrorCode];

export class EscposError extends CodedError<EscposErrorCode, Record<string, unknown>> {
  override readonly name = 'EscposError';
  /** `context`: what was being decoded or checked, e.g. the offending bytes as hex. */
  constructor(code: EscposErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

export const isEscposError = codedGuard(EscposError);

/** Lower-case hex of bytes, for error context and debug logs. */
export function toHex(bytes: Uint8Array | readonly number[]): string {
  let s = '';
  for (const b of bytes) s += (b & 0xff).toString(16).padStart(2, '0');
  return s;
}
