/**
 * `kiosk/v1/<id>/heartbeat` (QoS 1), every `heartbeatSec` (default 60 s). Kept small: at the
 * default rate it is 1,440 messages a day on a metered SIM, so it carries counters and a
 * one-line summary; the full picture is the retained `state`, sent on change.
 */
import { z } from 'zod';
import { Meta } from './meta.js';

export const HeartbeatMessage = Meta.extend({
  up: z.number().int().nonnegative().describe('Agent uptime, s'),
  q: z.number().int().nonnegative().describe('Outbox depth (messages waiting for central)'),
  sum: z.string().max(160).describe('One-line device summary, e.g. "fp:ok prn:paper-low ups:batt-62%"'),
}).meta({ id: 'HeartbeatMessage', title: 'Heartbeat' });
export type HeartbeatMessage = z.infer<typeof HeartbeatMessage>;
