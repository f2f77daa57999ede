/** POST /v1/login and /v1/logout: PIN login returning a short-lived bearer token (issue 8 §2). */
import { z } from 'zod';
import { ApiError } from '../api/problem.js';
import { route, type AnyRoute } from '../api/router.js';
import { PIN_PATTERN } from './pin.js';
import type { Sessions } from './sessions.js';

export function authRoutes(sessions: Pick<Sessions, 'login' | 'logout'>): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/v1/login',
      summary: 'Log in with a personal PIN; repeated wrong PINs lock the login for a while',
      role: 'public',
      body: z.object({ user: z.string().min(1).max(64), pin: z.string().regex(PIN_PATTERN, 'a PIN is 4 to 8 digits') }),
      response: z.object({
        token: z.string(),
        user: z.string(),
        role: z.enum(['operator', 'admin']),
        expiresInSec: z.number().int().describe('Idle timeout: each request to a route that needs a login renews it'),
        maxSec: z.number().int().describe('The login ends this long after it was opened, however busy'),
      }),
      handler: async ({ body }) => {
        const r = await sessions.login(body.user, body.pin);
        if (r.ok) return { token: r.token, user: r.user, role: r.role, expiresInSec: r.expiresInSec, maxSec: r.maxSec };
        if (r.reason === 'locked') {
          throw new ApiError(423, 'login-locked', 'Too many wrong PINs: login locked', 'बहुत अधिक गलत पिन: लॉगिन बंद', `try again in ${r.retryAfterSec} s`, `${r.retryAfterSec} सेकंड बाद पुनः प्रयास करें`);
        }
        throw new ApiError(401, 'wrong-pin', 'Wrong user or PIN', 'गलत उपयोगकर्ता या पिन', `${r.attemptsLeft} attempts left before the login is locked`, `लॉगिन बंद होने से पहले ${r.attemptsLeft} प्रयास शेष`);
      },
    }),
    route({
      method: 'GET',
      path: '/v1/session',
      summary: 'The login of the token presented and the time it has left (this request renews it)',
      role: 'operator',
      response: z.object({
        user: z.string(),
        role: z.enum(['operator', 'admin']),
        expiresInSec: z.number().int().describe('Left before the login ends without use'),
        endsInSec: z.number().int().describe('Left before the login ends however busy (auth.sessionMaxSec)'),
      }),
      handler: ({ caller }) => {
        const c = caller!; // a route with a role only runs with a caller
        return Promise.resolve({ user: c.user, role: c.role, expiresInSec: c.session?.expiresInSec ?? 0, endsInSec: c.session?.endsInSec ?? 0 });
      },
    }),
    route({
      method: 'POST',
      path: '/v1/logout',
      summary: 'End the session of the token presented',
      role: 'operator',
      body: z.object({ token: z.string().min(20).max(200) }),
      response: z.object({ ok: z.boolean() }),
      handler: async ({ body }) => {
        await sessions.logout(body.token);
        return { ok: true };
      },
    }),
  ];
}
