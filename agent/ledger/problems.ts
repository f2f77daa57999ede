/** The ledger's refusals as bilingual API problems (agent/api/problem.ts). */
import { ApiError } from '../api/problem.js';
import { LedgerError } from './errors.js';
import { PrinterUnavailableError } from './printer.js';

const TEXT: Record<LedgerError['code'], { status: number; en: string; hi: string }> = {
  'unknown-service': { status: 422, en: 'The service is not on the rate list', hi: 'यह सेवा दर सूची में नहीं है' },
  'not-paise': { status: 400, en: 'Amounts are whole paise', hi: 'राशि पूरे पैसे में होनी चाहिए' },
  'above-rate': { status: 422, en: 'The charge is above the official rate', hi: 'शुल्क आधिकारिक दर से अधिक है' },
  'insufficient-balance': { status: 409, en: 'The e-wallet balance is too low', hi: 'ई-वॉलेट में पर्याप्त राशि नहीं है' },
  'idempotency-conflict': { status: 409, en: 'The idempotency key was used for another transaction', hi: 'यह कुंजी किसी अन्य लेनदेन के लिए उपयोग हो चुकी है' },
  invalid: { status: 400, en: 'The request is not valid', hi: 'अनुरोध मान्य नहीं है' },
};

/** Maps a ledger or printer refusal to its problem; anything else is rethrown unchanged. */
export function asProblem(err: unknown): never {
  if (err instanceof LedgerError) {
    const t = TEXT[err.code];
    throw new ApiError(t.status, err.code, t.en, t.hi, err.message);
  }
  if (err instanceof PrinterUnavailableError) {
    throw new ApiError(503, 'printer-unavailable', 'The receipt printer is not available', 'रसीद प्रिंटर उपलब्ध नहीं है', err.message);
  }
  throw err;
}
