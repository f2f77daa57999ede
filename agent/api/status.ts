/** GET /v1/status: what the operator console's home screen shows about the agent itself. */
import { z } from 'zod';
import { DeviceHealth } from '../../protocols/telemetry/state.js';
import { route } from './router.js';

export const StatusResponse = z.object({
  kiosk: z.object({ id: z.string(), name: z.string().optional(), district: z.string(), lsp: z.string() }),
  version: z.string(),
  uptimeSec: z.number().int(),
  link: z.object({ state: z.enum(['idle', 'connecting', 'up', 'waiting', 'stopped']), session: z.number().int() }),
  queue: z.object({ depth: z.number().int(), bytes: z.number().int(), overLimit: z.boolean() }),
  clock: z.object({ synced: z.boolean(), source: z.string() }),
  devices: z.record(z.string(), DeviceHealth),
});
export type StatusResponse = z.infer<typeof StatusResponse>;

export function statusRoute(read: () => StatusResponse) {
  return route({
    method: 'GET',
    path: '/v1/status',
    summary: 'Agent, link, queue, clock and device health',
    role: 'public',
    response: StatusResponse,
    handler: () => Promise.resolve(read()),
  });
}
