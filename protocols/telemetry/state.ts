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
  wallet: z
    .looseObject({
      balancePaise: z.number().int().describe('e-wallet balance, integer paise'),
      minimumPaise: z.number().int().nonnegative().describe('Required minimum (Rs 20,000 by default)'),
      belowMinimum: z.boolean(),
    })
    .optional()
    .describe('The e-wallet (issue 8)'),
  inactivity: z
    .looseObject({
      days: z.number().int().nonnegative().describe('Days since the last successful transaction'),
      breachDay: z.number().int().positive().describe('The day the next breach falls on (30 for the first)'),
      breachAtTs: z.number().int().nonnegative().describe('Estimated wall-clock ms of that breach'),
      breachOn: z.string().max(10).describe('Its IST date, YYYY-MM-DD'),
      estimated: z.boolean().describe('The count bridged a reboot without trusted time: a lower bound, or early by the downtime before a transaction made without it'),
      lastTxnTs: z.number().int().nonnegative().optional(),
    })
    .optional()
    .describe('The 30-day inactivity count (issue 8)'),
}).meta({ id: 'StateMessage', title: 'State snapshot' });
export type StateMessage = z.infer<typeof StateMessage>;
