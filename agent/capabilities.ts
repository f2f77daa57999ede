/**
 * The capabilities the agent runs, in start order (DESIGN §4): each plugs into the foundation
 * through the AgentContext. Their database tables are numbered migrations in
 * store/migrations.ts.
 */
import type { Capability } from './context.js';
import { ekycCapability } from './ekyc/capability.js';
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

export const CAPABILITIES: Capability[] = [
  ledger,
  // R30x driver, RD health, technician endpoints.
  fingerprint,
  // e-KYC captures (issue 7): accepted captures are recorded through the ledger.
  ekycCapability({ recordTransaction: (tx, input) => ledger.recordEkyc(tx, input), rd: fingerprint.rdCaptures, printer: printer.ekycAck }),
  // ESC/POS printer, SQLite print queue, signed receipts; before the UPS for the same reason as the others.
  printer,
  // UPS and power policy (issue 6): last, so its low-battery stop finds the others running.
  upsCapability(),
];
