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
});

export function inactivityRoute(read: () => Promise<InactivitySection>) {
  return route({
    method: 'GET',
    path: '/v1/inactivity',
    summary: 'Days without a transaction and the date of the 30-day breach',
    role: 'operator',
    response: InactivityResponse,
    handler: () => read(),
  });
}
