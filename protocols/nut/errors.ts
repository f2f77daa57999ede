/**
 * NUT network-protocol errors. upsd answers `ERR <CODE> [extra]` [nut:docs/net-protocol.txt; reference
 * §4.2]; each code becomes a `NutError` with that code, so callers branch on `code` (for instance
 * DATA-STALE and DRIVER-NOT-CONNECTED mean "the UPS is unreachable", ACCESS-DENIED means "fix the
 * config") and never on text. Two local codes cover replies that do not follow the protocol and
 * requests we refuse to encode.
 */
import { CodedError, codedGuard, withCode } from '../common/errors.js';

export const NUT_ERR_CODES = [
  'ACCESS-DENIED',
  'UNKNOWN-UPS',
  'VAR-NOT-SUPPORTED',
  'CMD-NOT-SUPPORTED',
  'INVALID-ARGUMENT',
  'INSTCMD-FAILED',
  'SET-FAILED',
  'READONLY',
  'TOO-LONG',
  'FEATURE-NOT-SUPPORTED',
  'FEATURE-NOT-CONFIGURED',
  'ALREADY-SSL-MODE',
  'DRIVER-NOT-CONNECTED',
  'DATA-STALE',
  'ALREADY-LOGGED-IN',
  'INVALID-PASSWORD',
  'ALREADY-SET-PASSWORD',
  'INVALID-USERNAME',
  'ALREADY-SET-USERNAME',
  'USERNAME-REQUIRED',
  'PASSWORD-REQUIRED',
  'UNKNOWN-COMMAND',
  'INVALID-VALUE',
] as const;
export type NutErrCode = (typeof NUT_ERR_CODES)[number];

export const NutLocalCode = {
  /** upsd sent an ERR code this client does not know (newer upsd); the raw code is in `context`. */
  UnknownErr: 'NUT_UNKNOWN_ERR',
  /** A reply that does not match the request (wrong framing, unparseable line). */
  Protocol: 'NUT_PROTOCOL',
  /** A request argument that cannot be sent (newline, NUL, empty name). */
  BadRequest: 'NUT_BAD_REQUEST',
} as const;
export type NutLocalCode = (typeof NutLocalCode)[keyof typeof NutLocalCode];

export type NutErrorCode = NutErrCode | NutLocalCode;

export interface NutErrorContext {
  /** The request line (without LF). */
  request?: string;
  /** The reply line that caused the error. */
  reply?: string;
  /** Text after the code in `ERR <CODE> <extra>`. */
  extra?: string;
}

export class NutError extends CodedError<NutErrorCode, NutErrorContext> {
  override readonly name = 'NutError';

  constructor(code: NutErrorCode, message: string, context: NutErrorContext = {}) {
    super(code, withCode(message, code), context);
  }
}

export const isNutError = codedGuard(NutError);

const known = new Set<string>(NUT_ERR_CODES);

/** Codes that mean upsd is up but has no fresh data from the UPS: report as a communication loss. */
export function isNutUnreachable(e: unknown): boolean {
  return isNutError(e) && (e.code === 'DATA-STALE' || e.code === 'DRIVER-NOT-CONNECTED');
}

/** `ERR <CODE> [extra]` → NutError, or undefined when the line is not an ERR reply. */
export function errFromLine(line: string, request?: string): NutError | undefined {
  const m = /^ERR(?: +(\S+))?(?: +(.*))?$/.exec(line);
  if (!m) return undefined;
  const raw = m[1] ?? '';
  const extra = m[2];
  const ctx: NutErrorContext = { reply: line, ...(request === undefined ? {} : { request }), ...(extra === undefined ? {} : { extra }) };
  return known.has(raw)
    ? new NutError(raw as NutErrCode, `upsd refused ${request ?? 'the request'}`, ctx)
    : new NutError(NutLocalCode.UnknownErr, `upsd answered unknown error "${raw}"`, ctx);
}
