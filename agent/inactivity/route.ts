/** GET /v1/inactivity: the count the operator console shows beside the wallet (issue 8 §4). */
import { z } from 'zod';
import { route } from '../api/router.js';
import type { InactivitySection } from './monitor.js';

export const InactivityResponse = z.object({
  days: z.number().int().describe('Days since the last successful transaction'),
  breachDay: z.number().int().describe('The day on which the next breach falls'),
  breachAtTs: z.number().int().describe('Estimated wall-clock ms of that breach'),
  breachOn: z.string().describe('Its IST date'),
  estimated: z.boolean().describe('The count bridged a reboot without trusted time'),
  lastTxnTs: z.number().int().optional(),
  warnDays: z.array(z.number().int()),
  penaltyPaise: z.number().int(),
  warning: z.object({ en: z.string(), hi: z.string() }).optional().describe('From the first warning day on: what the operator must do'),
});

/** The operator's warning from the first warning day on, in English and Hindi. */
export function inactivityWarning(s: InactivitySection): { en: string; hi: string } | undefined {
  if (s.days < Math.min(...s.warnDays, s.breachDay)) return undefined;
  const fine = `Rs ${(s.penaltyPaise / 100).toLocaleString('en-IN')}`;
  return {
    en: `No transaction for ${s.days} days: a fine of ${fine} falls on ${s.breachOn} unless a transaction is made before then.`,
    hi: `${s.days} दिनों से कोई लेनदेन नहीं: ${s.breachOn} तक लेनदेन न होने पर ${fine} का जुर्माना लगेगा।`,
  };
}

export function inactivityRoute(read: () => Promise<InactivitySection>) {
  return route({
    method: 'GET',
    path: '/v1/inactivity',
    summary: 'Days without a transaction, the date of the 30-day breach and a warning once it nears',
    role: 'operator',
    response: InactivityResponse,
    handler: async () => {
      const s = await read();
      const warning = inactivityWarning(s);
      return { ...s, ...(warning ? { warning } : {}) };
    },
  });
}
