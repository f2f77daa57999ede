/**
 * Fingerprint driver errors as local-API problems, in English and Hindi for the technician's
 * and operator's screens. Only the driver's code and its operator-readable message go out:
 * neither ever carries biometric data (drivers/fingerprint/errors.ts).
 */
import { ApiError } from '../api/problem.js';
import { isFingerprintError } from '../../drivers/fingerprint/errors.js';

const UNAVAILABLE_HI = 'फिंगरप्रिंट रीडर उपलब्ध नहीं है; केबल जाँचें और फिर से प्रयास करें।';

export const fingerprintProblems = {
  notConfigured: () =>
    new ApiError(
      503,
      'reader-not-configured',
      'No fingerprint reader is configured',
      'कोई फिंगरप्रिंट रीडर कॉन्फ़िगर नहीं है',
      'Set devices.fingerprint.r30x in the agent configuration.',
      'एजेंट कॉन्फ़िगरेशन में devices.fingerprint.r30x सेट करें।',
    ),
  emptySlot: (slot: number) =>
    new ApiError(404, 'empty-slot', 'No fingerprint is stored in that slot', 'उस स्लॉट में कोई फिंगरप्रिंट नहीं है', `slot ${slot}`),
};

/** Maps a driver error to a problem; anything else is rethrown (the server answers 500). */
export function toProblem(e: unknown): never {
  if (!isFingerprintError(e)) throw e;
  const detail = `${e.message} (${e.code})`;
  switch (e.code) {
    case 'FP_CAPTURE_TIMEOUT':
      throw new ApiError(422, 'no-finger', 'No finger was placed on the reader in time', 'समय पर रीडर पर उंगली नहीं रखी गई', detail, 'उंगली रीडर पर रखें और फिर से प्रयास करें।');
    case 'FP_POOR_QUALITY':
    case 'FP_ENROLL_MISMATCH':
      throw new ApiError(422, 'capture-failed', 'The fingerprint was not captured', 'फिंगरप्रिंट नहीं लिया जा सका', detail, 'उंगली साफ़ करके सीधी रखें और फिर से प्रयास करें।');
    case 'FP_ALREADY_ENROLLED':
      throw new ApiError(409, 'already-enrolled', 'This finger is already enrolled', 'यह उंगली पहले से दर्ज है', `${detail}; slot ${String(e.context['slot'] ?? '?')}`);
    case 'FP_LIBRARY_FULL':
      throw new ApiError(409, 'library-full', 'The reader has no free slot', 'रीडर में कोई खाली स्लॉट नहीं है', detail, 'पुराने फिंगरप्रिंट हटाएँ।');
    case 'FP_EMPTY_SLOT':
      throw new ApiError(404, 'empty-slot', 'No fingerprint is stored in that slot', 'उस स्लॉट में कोई फिंगरप्रिंट नहीं है', detail);
    default:
      // Not ready, unplugged (also mid-capture), silent, refused password, device or protocol error.
      throw new ApiError(503, 'reader-unavailable', 'The fingerprint reader is not available', 'फिंगरप्रिंट रीडर उपलब्ध नहीं है', detail, UNAVAILABLE_HI);
  }
}
