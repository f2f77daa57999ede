/**
 * `devices.fingerprint`: the kiosk's two readers (issue 4 §5).
 *
 * - `r30x`: the serial module operators log in with. Only the agent opens its port; technicians
 *   reach it through the local API (`kioskctl fingerprint …`).
 * - `rd`: health polling of the UIDAI RD service. How the RD service is reached (ports, https
 *   trust) and how it captures belong to e-KYC, its only user: `ekyc.rd` (agent/ekyc/config.ts).
 *   This section only says whether and how often its health goes into `state`.
 */
import { z } from 'zod';

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

export const R30xConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Drive the reader (default true); false reports it as disabled'),
  path: z.string().min(1).describe('Serial device; prefer /dev/serial/by-id/… so the path survives re-enumeration'),
  baudRate: z
    .number()
    .int()
    .refine((b) => b % 9600 === 0 && b >= 9600 && b <= 115_200, 'a multiple of 9600 from 9600 to 115200')
    .default(57_600)
    .describe('Line speed, baud (default 57600, the module default)'),
  address: z.number().int().min(0).max(0xffff_ffff).default(0xffff_ffff).describe('Module address (default 0xFFFFFFFF)'),
  password: z.number().int().min(0).max(0xffff_ffff).default(0).describe('Module password (default 0). Secret: masked in logs'),
  pollMs: ms(20, 2000).default(100).describe('Finger poll interval while waiting for a finger, ms (default 100)'),
  captureDeadlineMs: ms(1000, 60_000).default(10_000).describe('How long a capture waits for a finger, ms (default 10000)'),
  backoff: z
    .strictObject({
      baseMs: ms(10, 60_000).default(500).describe('First reconnect window, ms (default 500)'),
      capMs: ms(100, 3_600_000).default(30_000).describe('Largest reconnect window, ms (default 30000)'),
    })
    .default({ baseMs: 500, capMs: 30_000 }),
});
export type R30xConfig = z.infer<typeof R30xConfig>;

export const RdHealthConfig = z.strictObject({
  enabled: z
    .boolean()
    .optional()
    .describe('Poll the RD service health (default: when e-KYC is configured; its ekyc.rd says where the service is)'),
  healthPollSec: z.number().int().min(5).max(3600).default(60).describe('RD health poll interval, s (default 60)'),
});
export type RdHealthConfig = z.infer<typeof RdHealthConfig>;

export const FingerprintConfig = z
  .strictObject({
    r30x: R30xConfig.optional().describe('R30x / ZFM-20 / R503 / AS608 serial module (operator login)'),
    rd: RdHealthConfig.default({ healthPollSec: 60 }),
  })
  .describe('Fingerprint readers: the R30x serial module and the RD service health');
export type FingerprintConfig = z.infer<typeof FingerprintConfig>;
