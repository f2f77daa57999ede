/** Refusals of the ledger, each mapped to a bilingual API problem in routes. */
export type LedgerErrorCode =
  | 'unknown-service'
  | 'not-paise'
  | 'above-rate'
  | 'insufficient-balance'
  | 'idempotency-conflict'
  | 'invalid';

export class LedgerError extends Error {
  override name = 'LedgerError';
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
