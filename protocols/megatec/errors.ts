/**
 * Megatec/Qx protocol errors. Parsers in this folder never throw on device input: they return a
 * `ParseResult` whose failure carries one of these stable codes, so the driver can map each code
 * to a reaction (retry, mark the source stale, count it) without looking at message text.
 */
import { CodedError, codedGuard, withCode } from '../common/errors.js';

export const MegatecErrorCode = {
  /** No bytes before the CR, or only padding (NUL/space): the UPS stayed silent. */
  Empty: 'MEGATEC_EMPTY',
  /** `(NAK`, `NAK` or `N`: the UPS rejected the query (Voltronic, Voltronic-QS; reference §1.6). */
  Nak: 'MEGATEC_NAK',
  /** The command came back unchanged: the Megatec spec's way of saying "not supported" (§1.6). */
  Echo: 'MEGATEC_ECHO',
  /** `UPS No Ack` from fabula/hunnox shims: NUT treats it as an empty reply (§1.6). */
  NoAck: 'MEGATEC_NO_ACK',
  /** The reply does not start with the expected `(` or `#`. */
  BadPrefix: 'MEGATEC_BAD_PREFIX',
  /** Wrong number of space-separated fields. */
  BadFieldCount: 'MEGATEC_BAD_FIELD_COUNT',
  /** The Q1 status token is not exactly eight ASCII '0'/'1' characters (blazer's rule, §1.3). */
  BadStatusBits: 'MEGATEC_BAD_STATUS_BITS',
  /** A line grew past the framer's cap without a CR: a runaway or a wrong baud rate. */
  LineTooLong: 'MEGATEC_LINE_TOO_LONG',
  /** A command we were asked to encode is not plain printable ASCII or is too long. */
  BadCommand: 'MEGATEC_BAD_COMMAND',
} as const;
export type MegatecErrorCode = (typeof MegatecErrorCode)[keyof typeof MegatecErrorCode];

/** The offending reply (printable form) or command, for logs. */
export interface MegatecErrorContext {
  reply?: string;
  command?: string;
}

export class MegatecError extends CodedError<MegatecErrorCode, MegatecErrorContext> {
  override readonly name = 'MegatecError';

  constructor(code: MegatecErrorCode, message: string, context: MegatecErrorContext = {}) {
    super(code, withCode(message, code), context);
  }
}

export const isMegatecError = codedGuard(MegatecError);

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: MegatecError };

export const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
export const fail = <T>(code: MegatecErrorCode, message: string, reply?: string): ParseResult<T> => ({
  ok: false,
  error: new MegatecError(code, message, reply === undefined ? {} : { reply: printable(reply) }),
});

/** Control characters shown as \xNN so a log line can never be broken by device bytes. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 120);
}
