/**
 * Driver-layer UPS errors: communication failures of any back-end, with stable codes. Protocol
 * errors (`NutError`, `MegatecError`) are wrapped as `cause` so a log shows both layers, while the
 * monitor branches only on these codes.
 */
import { causeOption, CodedError, codedGuard, withCode } from '../../protocols/common/errors.js';

export const UpsErrorCode = {
  /** No complete reply within the request timeout. */
  Timeout: 'UPS_TIMEOUT',
  /** No connection/port right now (reconnect pending). */
  NotConnected: 'UPS_NOT_CONNECTED',
  /** The connection or port closed while a request was pending. */
  ConnectionClosed: 'UPS_CONNECTION_CLOSED',
  /** Opening the port, device or socket failed. */
  OpenFailed: 'UPS_OPEN_FAILED',
  /** The reply could not be understood (Megatec garbage, NAK, echo; NUT framing). */
  BadReply: 'UPS_BAD_REPLY',
  /** The UPS is known to be unreachable behind its server (NUT DATA-STALE, DRIVER-NOT-CONNECTED, WAIT). */
  Unreachable: 'UPS_UNREACHABLE',
  /** upsd refused the request for a reason other than reachability (ERR ACCESS-DENIED, UNKNOWN-UPS …). */
  Refused: 'UPS_REFUSED',
  /** The driver was stopped. */
  Stopped: 'UPS_STOPPED',
} as const;
export type UpsErrorCode = (typeof UpsErrorCode)[keyof typeof UpsErrorCode];

export class UpsError extends CodedError<UpsErrorCode, Record<string, unknown>> {
  override readonly name = 'UpsError';

  constructor(code: UpsErrorCode, message: string, opts: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(code, withCode(message, code), opts.context ?? {}, causeOption(opts.cause));
  }
}

export const isUpsError = codedGuard(UpsError);

/** The stable code of any error, for events and counters. */
export function errorCode(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
  return 'UNKNOWN';
}
