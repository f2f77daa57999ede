/**
 * The `devices.ups` configuration section (the agent validates each device section with its driver's
 * schema) and the factory that turns it into a running monitor. Every timeout carries its unit and
 * why it has its default.
 */
import { z } from 'zod';
import type { DeviceHealth } from '../../protocols/telemetry/state.js';
import type { UpsSnapshot } from './monitor.js';

const ms = (min: number, max: number, def: number, why: string) => z.number().int().min(min).max(max).default(def).describe(`ms; ${why}`);

export const UpsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    backend: z.enum(['nut', 'megatec-serial', 'megatec-hid']).default('nut').describe('nut = upsd (preferred); megatec-* = talk Q1 directly, without NUT'),
    nut: z
      .strictObject({
        target: z.string().default('ups@127.0.0.1:3493').describe('upsc syntax: name@host:port'),
        username: z.string().optional().describe('Only needed for instant commands'),
        password: z.string().optional(),
        requestTimeoutMs: ms(100, 60_000, 5000, 'per request; upsd answers locally in well under a second'),
      })
      .default({ target: 'ups@127.0.0.1:3493', requestTimeoutMs: 5000 }),
    serial: z
      .strictObject({
        path: z.string().describe('Prefer /dev/serial/by-id/…'),
        baudRate: z.number().int().default(2400),
        cablePower: z.enum(['normal', 'reverse', 'both', 'none']).default('normal').describe('DTR/RTS as NUT cablepower'),
      })
      .optional(),
    hid: z
      .strictObject({
        path: z.string().optional().describe('hidraw path; else the first device with vendorId:productId'),
        vendorId: z.number().int().default(0x0665),
        productId: z.number().int().default(0x5161),
      })
      .default({ vendorId: 0x0665, productId: 0x5161 }),
    megatec: z
      .strictObject({
        queryTimeoutMs: ms(100, 10_000, 1000, 'reply wait per query (NUT waits 1 s; Best UPS units need 3 s)'),
        noRating: z.boolean().default(false).describe('Do not send F (NUT norating): some units lock up'),
        noVendor: z.boolean().default(false).describe('Do not send I (NUT novendor)'),
        ignoreShutdownBit: z.boolean().default(false).describe('Unit always reports b1 = 1 (NUT ignoresab)'),
        battery: z
          .strictObject({
            voltageLow: z.number().positive().optional(),
            voltageHigh: z.number().positive().optional(),
            voltageNominal: z.number().positive().optional(),
            packs: z.number().positive().optional(),
          })
          .default({}),
      })
      .default({ queryTimeoutMs: 1000, noRating: false, noVendor: false, ignoreShutdownBit: false, battery: {} }),
    pollIntervalMs: ms(200, 60_000, 2000, 'NUT polls status every 2 s'),
    policy: z
      .strictObject({
        debounceMs: ms(0, 60_000, 1000, 'a change must hold this long (two polls at 2 s)'),
        staleAfterMs: ms(1000, 600_000, 15_000, 'no fresh data this long = comm lost (upsd MAXAGE, upsmon DEADTIME)'),
        minRuntimeS: z.number().int().min(0).nullable().default(180).describe('s; shut down on battery below this runtime; null = off'),
        minChargePct: z.number().min(0).max(100).nullable().default(null).describe('%; shut down on battery below this charge; null = rely on LB'),
        shutdownOnCommLostOnBattery: z.boolean().default(true),
      })
      .default({ debounceMs: 1000, staleAfterMs: 15_000, minRuntimeS: 180, minChargePct: null, shutdownOnCommLostOnBattery: true }),
    shutdown: z
      .strictObject({
        command: z.array(z.string()).min(1).default(['systemctl', 'poweroff']).describe('argv, run without a shell'),
        dryRun: z.boolean().default(false).describe('Test/demo mode: record the shutdown, do not run it'),
        recordFile: z.string().min(1).optional().describe('dryRun: append the command that would have run (one JSON line) to this file'),
        flushTimeoutMs: ms(0, 120_000, 5000, 'longest wait for the outbox to drain before powering off: the battery is running out'),
      })
      .default({ command: ['systemctl', 'poweroff'], dryRun: false, flushTimeoutMs: 5000 }),
  })
  .superRefine((c, ctx) => {
    if (c.backend === 'megatec-serial' && !c.serial) ctx.addIssue({ code: 'custom', path: ['serial'], message: 'megatec-serial needs serial.path' });
    if (c.pollIntervalMs * 2 > c.policy.staleAfterMs) {
      ctx.addIssue({ code: 'custom', path: ['policy', 'staleAfterMs'], message: 'staleAfterMs must cover at least two polls' });
    }
  });
export type UpsConfig = z.infer<typeof UpsConfigSchema>;

/** The device-registry entry for the UPS: ok on mains, degraded on battery, disconnected when silent. */
export function upsHealth(s: UpsSnapshot): DeviceHealth {
  if (s.comm === 'lost') return { state: 'disconnected', detail: `no data (${s.lastError ?? 'silent'})` };
  const u = s.state;
  if (!u) return { state: 'absent', detail: 'no reading yet' };
  const charge = u.chargePct === null ? '' : ` ${u.chargePct}%`;
  if (u.fault) return { state: 'fault', detail: (u.alarm ?? 'UPS fault').slice(0, 200) };
  if (u.onBattery && u.lowBattery) return { state: 'degraded', detail: `on battery, low${charge}` };
  if (u.onBattery) return { state: 'degraded', detail: `on battery${charge}` };
  if (u.replaceBattery) return { state: 'degraded', detail: 'replace battery' };
  return { state: 'ok' };
}
