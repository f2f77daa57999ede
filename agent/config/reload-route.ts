/**
 * POST /v1/config/reload (admin): what SIGHUP does (config/reload.ts), for `kioskctl`, which
 * has just written the file (a finger tied to a login) and needs no systemd to apply it.
 */
import { z } from 'zod';
import { ApiError } from '../api/problem.js';
import { route } from '../api/router.js';
import type { ReloadOutcome } from './reload.js';

export function reloadRoute(reload: () => Promise<ReloadOutcome>) {
  return route({
    method: 'POST',
    path: '/v1/config/reload',
    summary: 'Read the configuration file again (admin): the logins apply at once; other changed sections are listed, for a restart',
    role: 'admin',
    response: z.object({ auth: z.boolean(), endedSessions: z.number().int(), restartNeeded: z.array(z.string()) }),
    handler: async () => {
      const r = await reload();
      if (!r.ok) {
        throw new ApiError(
          422,
          'config-refused',
          'The configuration file was refused; the running configuration stays',
          'कॉन्फ़िगरेशन फ़ाइल अस्वीकृत; चालू कॉन्फ़िगरेशन ही लागू है',
          r.problems.join('; '),
          undefined,
          r.problems.map((p) => ({ path: p.split(':')[0] ?? '(file)', message: p })),
        );
      }
      return { auth: r.auth, endedSessions: r.endedSessions, restartNeeded: r.restartNeeded };
    },
  });
}
