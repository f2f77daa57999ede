/**
 * Fields every upward message carries (DESIGN §5). A Raspberry Pi has no real-time clock, so
 * `ts` alone cannot be trusted: `synced` says whether it was, and `boot` + `mono` let central
 * re-date the unsynced records of a boot once a synced one of the same boot arrives
 * (reference/fleet-telemetry.md §8).
 */
import { z } from 'zod';

export const CONTRACT_VERSION = 1;

export const Meta = z.object({
  v: z.literal(CONTRACT_VERSION).describe('Contract version'),
  ts: z.number().int().nonnegative().describe('Wall-clock time of the kiosk, ms since the Unix epoch'),
  mono: z.number().int().nonnegative().describe('Monotonic time, ms since the kiosk booted'),
  boot: z.string().min(1).max(64).describe('Boot id (/proc/sys/kernel/random/boot_id)'),
  synced: z.boolean().describe('Whether the wall clock was trusted when ts was taken'),
  seq: z
    .number()
    .int()
    .nonnegative()
    .describe(
      'Per-kiosk, per-channel sequence number that survives restarts; with the kiosk id and channel it ' +
        'identifies a message, so a consumer drops redelivered duplicates by it. On status, the will, the birth and a shutdown notice of one session each take their own.',
    ),
});
export type Meta = z.infer<typeof Meta>;
