/**
 * `devices.printer` in the agent configuration: drivers/printer's own section (transport, paper,
 * timings) plus what only the agent decides — where the kiosk's receipt-signing key lives.
 */
import { z } from 'zod';
import { PrinterConfig } from '../../drivers/printer/config.js';

export const DEFAULT_DEVICE_KEY = '/var/lib/kiosk-agent/device-key.pem';

export const AgentPrinterConfig = PrinterConfig.extend({
  deviceKey: z
    .string()
    .min(1)
    .default(DEFAULT_DEVICE_KEY)
    .describe('PEM file of the kiosk Ed25519 device key that signs receipt QRs; created (mode 0600) on first start, its public key beside it as .pub'),
});
export type AgentPrinterConfig = z.infer<typeof AgentPrinterConfig>;
