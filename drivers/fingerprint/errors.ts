/**
 * Errors of the fingerprint driver layer (R30x module and RD-service client): one base class,
 * stable codes for callers and tests to branch on, an operator-readable message, and a context of
 * small non-biometric facts. Neither the message nor the context may ever carry a template, an
 * image or a PID block (DESIGN §2): only codes, slots, ports and counts.
 */
import { causeOption, CodedError, codedGuard } from '../../protocols/common/errors.js';

export type FingerprintErrorCode =
  // R30x module
  | 'FP_NOT_READY'
  | 'FP_STOPPED'
  | 'FP_DISCONNECTED'
  | 'FP_TIMEOUT'
  | 'FP_CAPTURE_TIMEOUT'
  | 'FP_POOR_QUALITY'
  | 'FP_ENROLL_MISMATCH'
  | 'FP_ALREADY_ENROLLED'
  | 'FP_LIBRARY_FULL'
  | 'FP_EMPTY_SLOT'
  | 'FP_WRONG_PASSWORD'
  | 'FP_DEVICE_ERROR'
  | 'FP_PROTOCOL'
  // RD service
  | 'RD_NOT_FOUND'
  | 'RD_UNREACHABLE'
  | 'RD_TIMEOUT'
  | 'RD_HTTP'
  | 'RD_BAD_RESPONSE'
  | 'RD_NOT_READY'
  | 'RD_BUSY'
  | 'RD_CAPTURE';

export class FingerprintError extends CodedError<FingerprintErrorCode, Record<string, string | number | boolean>> {
  override readonly name: string = 'FingerprintError';

  constructor(code: FingerprintErrorCode, message: string, opts: { context?: Record<string, string | number | boolean>; cause?: unknown } = {}) {
    super(code, message, opts.context ?? {}, causeOption(opts.cause));
  }
}

export const isFingerprintError = codedGuard(FingerprintError);

/** Injected clock and timers: real ones in production, a manual clock in tests. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}
