/**
 * POST /v1/login/fingerprint (issue 11): the operator console's login by finger on the R30x
 * module. One capture, a 1:N search of the module's library, the matching slot mapped to a user
 * through `auth.users[].fingerprintSlots`, and the same token reply as the PIN login
 * (agent/auth/routes.ts). Counting and locking are the PIN policy, per kiosk (agent/auth/sessions.ts
 * loginWithFingerprint).
 *
 * Templates never leave the module (reference/fingerprint-r30x-escpos.md: Search runs on the
 * module), so nothing here, in the log or in a problem, carries more than a slot number.
 */
import { z } from 'zod';
import type { Logger } from '../../drivers/common/logger.js';
import { isFingerprintError } from '../../drivers/fingerprint/errors.js';
import { ApiError } from '../api/problem.js';
import { route, type AnyRoute } from '../api/router.js';
import type { FingerprintLoginResult } from '../auth/sessions.js';
import { toProblem } from './problems.js';

export const FingerprintLoginBody = z.strictObject({
  deadlineMs: z.number().int().min(1000).max(60_000).optional().describe('How long to wait for a finger, ms (default: the configured captureDeadlineMs)'),
});

export const FingerprintLoginReply = z.object({
  token: z.string(),
  user: z.string(),
  role: z.enum(['operator', 'admin']),
  expiresInSec: z.number().int(),
});

export interface FingerprintLoginDeps {
  /** Whether an R30x reader is configured and enabled. */
  configured(): boolean;
  /** The whole login: captures with `deadlineMs` (or the configured deadline) and checks the lock. */
  login(deadlineMs: number | undefined): Promise<FingerprintLoginResult>;
  logger?: Logger;
}

export const fingerprintLoginProblems = {
  notConfigured: () =>
    new ApiError(
      409,
      'fingerprint-login-unavailable',
      'Fingerprint login is not available on this kiosk: no fingerprint reader is configured',
      'इस कियोस्क पर फिंगरप्रिंट लॉगिन उपलब्ध नहीं है: कोई फिंगरप्रिंट रीडर कॉन्फ़िगर नहीं है',
      'Log in with your PIN. The technician sets devices.fingerprint.r30x in the agent configuration.',
      'अपने पिन से लॉगिन करें। तकनीशियन एजेंट कॉन्फ़िगरेशन में devices.fingerprint.r30x सेट करता है।',
    ),
  noFinger: (detail: string) =>
    new ApiError(408, 'no-finger', 'No finger was placed on the reader in time', 'समय पर रीडर पर उंगली नहीं रखी गई', detail, 'उंगली रीडर पर रखें और फिर से प्रयास करें।'),
  notRecognised: (attemptsLeft: number) =>
    new ApiError(
      401,
      'fingerprint-not-recognised',
      'Fingerprint not recognised',
      'फिंगरप्रिंट पहचाना नहीं गया',
      `${attemptsLeft} attempts left before fingerprint login is locked; or log in with your PIN`,
      `फिंगरप्रिंट लॉगिन बंद होने से पहले ${attemptsLeft} प्रयास शेष; या अपने पिन से लॉगिन करें`,
    ),
  locked: (retryAfterSec: number) =>
    new ApiError(
      423,
      'login-locked',
      'Too many failed logins: login locked',
      'बहुत अधिक असफल लॉगिन: लॉगिन बंद',
      `try again in ${retryAfterSec} s`,
      `${retryAfterSec} सेकंड बाद पुनः प्रयास करें`,
    ),
};

export function fingerprintLoginRoutes(deps: FingerprintLoginDeps): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/v1/login/fingerprint',
      summary: 'Log in with a finger on the R30x reader (one capture, 1:N search; the slot maps to a user); failures lock fingerprint login for the kiosk',
      role: 'public',
      body: FingerprintLoginBody,
      response: FingerprintLoginReply,
      handler: async ({ body }) => {
        if (!deps.configured()) throw fingerprintLoginProblems.notConfigured();
        let r: FingerprintLoginResult;
        try {
          r = await deps.login(body.deadlineMs);
        } catch (e) {
          if (isFingerprintError(e) && e.code === 'FP_CAPTURE_TIMEOUT') throw fingerprintLoginProblems.noFinger(`${e.message} (${e.code})`);
          return toProblem(e);
        }
        if (r.ok) {
          deps.logger?.info({ user: r.user, slot: r.slot }, 'login by fingerprint');
          return { token: r.token, user: r.user, role: r.role, expiresInSec: r.expiresInSec };
        }
        deps.logger?.warn({ reason: r.reason, ...(r.slot !== undefined ? { slot: r.slot } : {}) }, 'fingerprint login refused');
        if (r.reason === 'locked') throw fingerprintLoginProblems.locked(r.retryAfterSec);
        throw fingerprintLoginProblems.notRecognised(r.attemptsLeft);
      },
    }),
  ];
}
