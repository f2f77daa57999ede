/**
 * `kiosk/v1/<id>/state` (QoS 1, retained): the full snapshot, sent when anything in it changes
 * and on request. Sections are loose objects so that later capabilities (wallet, inactivity,
 * printer paper, UPS) add fields without breaking a fleet that predates them.
 */
import { z } from 'zod';
import { Meta } from './meta.js';

export const DeviceHealth = z.looseObject({
  state: z
    .enum(['ok', 'degraded', 'disconnected', 'absent', 'disabled', 'fault'])
    .describe('ok: working; degraded: working with a warning; disconnected: was there, is gone; absent: never found'),
  detail: z.string().max(200).optional(),
  since: z.number().int().nonnegative().optional().describe('Wall-clock ms when this state began'),
});
export type DeviceHealth = z.infer<typeof DeviceHealth>;

export const StateMessage = Meta.extend({
  agent: z.looseObject({
    version: z.string().max(32),
    startedAt: z.number().int().nonnegative(),
  }),
  config: z.looseObject({ version: z.string().max(64).describe('Hash of the effective configuration') }),
  clock: z.looseObject({
    synced: z.boolean(),
    source: z.enum(['ntp', 'central', 'assumed', 'none']).describe('Why the clock is (not) trusted'),
    lastSyncTs: z.number().int().nonnegative().optional(),
  }),
  queue: z.looseObject({
    depth: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    oldestTs: z.number().int().nonnegative().optional(),
  }),
  devices: z.record(z.string(), DeviceHealth).describe('Health per device: reader, printer, ups, …'),
}).meta({ id: 'StateMessage', title: 'State snapshot' });
export type StateMessage = z.infer<typeof StateMessage>;
