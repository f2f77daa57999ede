/** GET /v1/status: what the operator console's home screen shows about the agent itself. */
import { z } from 'zod';
import { DeviceHealth } from '../../protocols/telemetry/state.js';
import { countByState } from '../ekyc/store.js';
import type { Queries } from '../store/db.js';
import { route } from './router.js';

const Count = z.number().int().nonnegative();

/**
 * The kiosk-wide capture queue (issue 11): counts only — no capture id, no citizen reference,
 * nothing of a PID block. `today` counts the captures that reached each final state since
 * midnight IST by the kiosk's wall clock (see `clock.synced` for whether to trust it).
 */
export const EkycStatus = z.object({
  queued: Count.describe('Sealed, waiting to be sent'),
  sent: Count.describe('Sent, waiting for central to decide'),
  accepted: Count,
  rejected: Count,
  duplicate: Count,
  expired: Count,
  today: z.object({
    since: z.number().int().describe('Wall-clock ms of midnight IST today'),
    accepted: Count,
    rejected: Count,
    duplicate: Count,
    expired: Count,
  }),
});
export type EkycStatus = z.infer<typeof EkycStatus>;

export const StatusResponse = z.object({
  kiosk: z.object({ id: z.string(), name: z.string().optional(), district: z.string(), lsp: z.string() }),
  version: z.string(),
  uptimeSec: z.number().int(),
  link: z.object({ state: z.enum(['idle', 'connecting', 'up', 'waiting', 'stopped']), session: z.number().int() }),
  queue: z.object({ depth: z.number().int(), bytes: z.number().int(), overLimit: z.boolean() }),
  clock: z.object({ synced: z.boolean(), source: z.string() }),
  devices: z.record(z.string(), DeviceHealth),
  ekyc: EkycStatus.optional().describe('Captures by state; absent when e-KYC is not configured'),
});
export type StatusResponse = z.infer<typeof StatusResponse>;

const IST_OFFSET_MS = 5.5 * 3_600_000; // India has one time zone and no daylight saving
const DAY_MS = 86_400_000;
const STATES: ReadonlySet<string> = new Set(['queued', 'sent', 'accepted', 'rejected', 'duplicate', 'expired']);

/** Wall-clock ms of the last midnight IST at or before `ts`. */
export function istDayStart(ts: number): number {
  return Math.floor((ts + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
}

/** The `ekyc` section from the capture table. */
export async function ekycStatus(q: Queries, nowTs: number): Promise<EkycStatus> {
  const since = istDayStart(nowTs);
  const out: EkycStatus = { queued: 0, sent: 0, accepted: 0, rejected: 0, duplicate: 0, expired: 0, today: { since, accepted: 0, rejected: 0, duplicate: 0, expired: 0 } };
  for (const r of await countByState(q, since)) {
    if (!STATES.has(r.state)) continue; // a state a later agent added: not this schema's
    out[r.state] = r.n;
    if (r.state !== 'queued' && r.state !== 'sent') out.today[r.state] = r.since;
  }
  return out;
}

export function statusRoute(read: () => StatusResponse | Promise<StatusResponse>) {
  return route({
    method: 'GET',
    path: '/v1/status',
    summary: 'Agent, link, queue, clock, device health and the capture queue by state',
    role: 'public',
    response: StatusResponse,
    handler: async () => read(),
  });
}
