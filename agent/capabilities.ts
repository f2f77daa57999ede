/**
 * The capabilities the agent runs, in start order (DESIGN §4): each plugs into the foundation
 * through the AgentContext. Their database tables are numbered migrations in
 * store/migrations.ts.
 */
import type { Capability } from './context.js';
import { fingerprintCapability } from './fingerprint/capability.js';
import { businessCapability } from './ledger/capability.js';
import { printerCapability } from './printer/capability.js';
import { upsCapability } from './ups/capability.js';

// Ledger, e-wallet, PIN logins, inactivity and jobs (issue 8); first, so e-KYC can record in it.
const ledger = businessCapability();
// Fingerprint readers (issue 4); before e-KYC, which captures through its RD client.
const fingerprint = fingerprintCapability();
// Receipt printer (issue 5); connects itself to the ledger and to e-KYC's acknowledgement when it starts.
const printer = printerCapability({ ledger });

/**
 * e-KYC only where the configuration has an `ekyc` section: its module (the RD-service client and
 * its XML stack, the capture store and sealing) is imported then and not before, so a kiosk without
 * e-KYC never holds it in memory (the idle footprint in BENCHMARKS.md).
 */
const ekyc: Capability = {
  name: 'ekyc',
  async start(ctx) {
    if (!ctx.loaded.config.ekyc) return undefined;
    const { ekycCapability } = await import('./ekyc/capability.js');
    return ekycCapability({ recordTransaction: (tx, input) => ledger.recordEkyc(tx, input), rd: fingerprint.rdCaptures, printer: printer.ekycAck }).start(ctx);
  },
};

export const CAPABILITIES: Capability[] = [
  ledger,
  // R30x driver, RD health, technician endpoints.
  fingerprint,
  // e-KYC captures (issue 7): accepted captures are recorded through the ledger.
  ekyc,
  // ESC/POS printer, SQLite print queue, signed receipts; before the UPS for the same reason as the others.
  printer,
  // UPS and power policy (issue 6): last, so its low-battery stop finds the others running.
  upsCapability(),
];
