/**
 * The printer section of the agent configuration (`devices.printer`), as one zod schema with a
 * description, default and unit per field (codebase-conventions §3.11); open-link.ts turns the
 * transport part into an OpenLink. The agent validates it once at startup.
 */
import { z } from 'zod';

const ms = (def: number, min: number, max: number, what: string) => z.number().int().min(min).max(max).default(def).describe(`${what}, ms`);

export const PrinterTransportConfig = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('tcp'),
    host: z.string().min(1).describe('Printer (or simulator) address'),
    port: z.number().int().min(1).max(65535).default(9100).describe('Raw TCP port, 9100 on JetDirect-style printers'),
  }),
  z.object({
    type: z.literal('serial'),
    path: z.string().min(1).describe('Prefer /dev/serial/by-id/… so the name survives re-plugging'),
    baudRate: z.number().int().positive().default(9600),
    rtscts: z.boolean().default(false).describe('Hardware flow control'),
  }),
  z.object({
    type: z.literal('lp'),
    path: z.string().min(1).default('/dev/usb/lp0').describe('usblp device file; the agent user needs the lp group'),
    bidirectional: z.boolean().default(false).describe('Poll the device for status replies (only units with a bulk IN)'),
  }),
  z.object({
    type: z.literal('usb'),
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
  }),
]);
export type PrinterTransportConfig = z.infer<typeof PrinterTransportConfig>;

export const PrinterConfig = z.object({
  enabled: z.boolean().default(true),
  transport: PrinterTransportConfig,
  paper: z.union([z.literal(58), z.literal(80)]).default(58).describe('Paper width, mm: 58 (384 dots) or 80 (576 dots)'),
  pollIntervalMs: ms(5000, 500, 600_000, 'Status poll period while idle'),
  statusTimeoutMs: ms(1000, 50, 10_000, 'Wait for one status reply'),
  barrierTimeoutMs: ms(20_000, 1000, 300_000, 'Wait for the end-of-job confirmation while the printer reports no stop'),
  retryMs: ms(5000, 100, 600_000, 'Retry period for queued jobs while the printer refuses them'),
});
export type PrinterConfig = z.infer<typeof PrinterConfig>;
