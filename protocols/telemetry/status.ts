/**
 * `kiosk/v1/<id>/status` (QoS 1, retained). The birth `online` is published after every
 * connect; the same topic holds the last will `offline`, registered at connect with the same
 * session counter. The session counter grows by one per connection and survives restarts, so
 * a will that the broker delivers late (after a newer birth) is recognised as stale — the
 * Sparkplug bdSeq rule (reference/fleet-telemetry.md §0.1).
 */
import { z } from 'zod';
import { Meta } from './meta.js';

export const StatusOnline = Meta.extend({
  state: z.literal('online'),
  session: z.number().int().positive().describe('Connection counter, persisted across restarts'),
  agent: z.string().max(32).describe('Agent version'),
  district: z.string().max(64),
  lsp: z.string().max(64).describe('Local service provider operating the kiosk'),
  heartbeatSec: z.number().int().positive().describe('Heartbeat interval, for missed-heartbeat detection'),
  keepaliveSec: z.number().int().nonnegative(),
}).meta({ id: 'StatusOnline', title: 'Birth: the kiosk is online' });

export const StatusOffline = Meta.extend({
  state: z.literal('offline'),
  session: z.number().int().positive(),
  reason: z.enum(['will', 'shutdown']).describe('will: delivered by the broker; shutdown: said by the agent'),
}).meta({ id: 'StatusOffline', title: 'Death: last will or clean shutdown' });

export const StatusMessage = z.discriminatedUnion('state', [StatusOnline, StatusOffline]).meta({
  id: 'StatusMessage',
  title: 'Kiosk status (birth and will)',
});
export type StatusOnline = z.infer<typeof StatusOnline>;
export type StatusOffline = z.infer<typeof StatusOffline>;
export type StatusMessage = z.infer<typeof StatusMessage>;
