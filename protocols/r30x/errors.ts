/**
 * Errors of the R30x protocol layer: one base class with stable string codes (callers and tests
 * branch on `code`, never on the wording), and the module's confirmation codes (reference A6) as
 * a typed subclass carrying the raw byte and an operator-readable message.
 *
 * Nothing here ever carries payload bytes: a packet may hold template or image data, which is
 * biometric and must not reach a log line or an error string (DESIGN §2).
 */
import { CodedError, codedGuard, withCode } from '../common/errors.js';

export type R30xProtocolErrorCode =
  | 'R30X_BAD_HEADER'
  | 'R30X_BAD_LENGTH'
  | 'R30X_BAD_PID'
  | 'R30X_BAD_CHECKSUM'
  | 'R30X_TRUNCATED'
  | 'R30X_TRAILING_BYTES'
  | 'R30X_BAD_REPLY'
  | 'R30X_BAD_ARGUMENT'
  | 'R30X_CONFIRMATION';

/** `context`: small, non-biometric facts about the failure (lengths, ids, codes). */
export class R30xProtocolError extends CodedError<R30xProtocolErrorCode, Record<string, number | string | boolean>> {
  override readonly name: string = 'R30xProtocolError';

  constructor(code: R30xProtocolErrorCode, message: string, context: Record<string, number | string | boolean> = {}) {
    super(code, withCode(message, code), context);
  }
}

export const isR30xProtocolError = codedGuard(R30xProtocolError);

/** Confirmation codes (reference A6); names are ours, meanings from the ZFM-20/R503 manuals. */
export const ConfirmationCode = {
  OK: 0x00,
  PACKET_RECEIVE_ERROR: 0x01,
  NO_FINGER: 0x02,
  IMAGE_FAIL: 0x03,
  IMAGE_TOO_DRY: 0x04,
  IMAGE_TOO_WET: 0x05,
  IMAGE_MESSY: 0x06,
  FEATURE_FAIL: 0x07,
  NO_MATCH: 0x08,
  NOT_FOUND: 0x09,
  ENROLL_MISMATCH: 0x0a,
  BAD_LOCATION: 0x0b,
  DB_READ_FAIL: 0x0c,
  UPLOAD_FEATURE_FAIL: 0x0d,
  PACKET_RESPONSE_FAIL: 0x0e,
  UPLOAD_IMAGE_FAIL: 0x0f,
  DELETE_FAIL: 0x10,
  DB_CLEAR_FAIL: 0x11,
  WRONG_PASSWORD: 0x13,
  INVALID_IMAGE: 0x15,
  FLASH_ERROR: 0x18,
  UNDEFINED_ERROR: 0x19,
  INVALID_REGISTER: 0x1a,
  BAD_REGISTER_CONFIG: 0x1b,
  BAD_NOTEPAD_PAGE: 0x1c,
  COMM_PORT_FAIL: 0x1d,
  LIBRARY_FULL: 0x1f,
  ADDRESS_WRONG: 0x20,
  PASSWORD_REQUIRED: 0x21,
  TEMPLATE_EMPTY: 0x22,
  LIBRARY_EMPTY: 0x24,
  TIMEOUT: 0x26,
  ALREADY_ENROLLED: 0x27,
  SENSOR_ERROR: 0x29,
  UNSUPPORTED_COMMAND: 0xfc,
  HARDWARE_ERROR: 0xfd,
  EXECUTION_FAIL: 0xfe,
} as const;

export type ConfirmationName = keyof typeof ConfirmationCode;

/** Operator-readable text for each confirmation code: says what to do, not just what failed. */
const MESSAGES: Record<number, string> = {
  0x00: 'OK',
  0x01: 'The reader did not receive the command correctly; try again',
  0x02: 'No finger on the sensor',
  0x03: 'Could not take the fingerprint image; place the finger again',
  0x04: 'Finger too dry; moisten it slightly and try again',
  0x05: 'Finger too wet; wipe it and try again',
  0x06: 'Fingerprint image unclear; clean the sensor and try again',
  0x07: 'Too little of the fingerprint was read; press the finger flat and try again',
  0x08: 'The fingerprints do not match',
  0x09: 'Fingerprint not recognised',
  0x0a: 'The two readings were of different fingers; start the enrolment again',
  0x0b: 'Slot number outside the reader library',
  0x0c: 'Could not read the stored fingerprint from the reader',
  0x0d: 'Could not send the fingerprint features from the reader',
  0x0e: 'The reader could not accept the data',
  0x0f: 'Could not send the fingerprint image from the reader',
  0x10: 'Could not delete the fingerprint',
  0x11: 'Could not clear the fingerprint library',
  0x13: 'The reader password is wrong',
  0x15: 'No valid fingerprint image in the reader; capture again',
  0x18: 'Reader storage error',
  0x19: 'Undefined reader error',
  0x1a: 'Invalid reader setting number',
  0x1b: 'Invalid reader setting',
  0x1c: 'Invalid notepad page',
  0x1d: 'Reader communication port error',
  0x1f: 'The reader library is full; delete unused fingerprints',
  0x20: 'Reader address is wrong',
  0x21: 'The reader password must be verified first',
  0x22: 'The fingerprint slot is empty',
  0x24: 'The reader library is empty',
  0x26: 'The reader timed out waiting for a finger',
  0x27: 'This finger is already enrolled',
  0x29: 'Sensor hardware fault; the reader needs service',
  0xfc: 'The reader does not support this command',
  0xfd: 'Reader hardware error; the reader needs service',
  0xfe: 'The reader failed to carry out the command',
};

const NAMES = new Map<number, ConfirmationName>(
  Object.entries(ConfirmationCode).map(([k, v]) => [v, k as ConfirmationName]),
);

export function confirmationName(cc: number): string {
  return NAMES.get(cc) ?? `UNKNOWN_0x${cc.toString(16).padStart(2, '0')}`;
}

export function confirmationMessage(cc: number): string {
  return MESSAGES[cc] ?? `Unknown reader error 0x${cc.toString(16).padStart(2, '0')}`;
}

/** A reply whose confirmation code is not OK for the command that was sent. */
export class R30xConfirmationError extends R30xProtocolError {
  override readonly name: string = 'R30xConfirmationError';
  readonly cc: number;
  readonly ccName: string;
  /** The instruction the module refused, e.g. 'Search'. */
  readonly command: string;

  constructor(cc: number, command: string) {
    super('R30X_CONFIRMATION', `${command}: ${confirmationMessage(cc)}`, { cc, command });
    this.cc = cc;
    this.ccName = confirmationName(cc);
    this.command = command;
  }

  /** Operator text without the code suffix. */
  get operatorMessage(): string {
    return confirmationMessage(this.cc);
  }
}

export function isR30xConfirmationError(e: unknown, cc?: number): e is R30xConfirmationError {
  return e instanceof R30xConfirmationError && (cc === undefined || e.cc === cc);
}
