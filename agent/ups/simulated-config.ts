/**
 * `simulate.ups`: the demo kiosks' simulated UPS (agent/ups/simulated.ts). Only the schema, so the
 * configuration schema can hold it without loading the simulator and its serial dependencies.
 */
import { z } from 'zod';

export const SimulatedUpsConfig = z
  .strictObject({
    cutAtSec: z.number().min(0).max(86_400).optional().describe('s after start when mains fails; absent = mains stays on'),
    cutForSec: z.number().min(0).max(86_400).default(10).describe('s on battery before mains returns (default 10)'),
    dischargeVps: z.number().min(0).max(1).default(0.005).describe('Pack volts lost per second on battery (12 V pack; default 0.005)'),
  })
  .describe('Demo and tests only: a simulated Megatec UPS on a pretend USB HID shim (never powers anything off)');
export type SimulatedUpsConfig = z.infer<typeof SimulatedUpsConfig>;
