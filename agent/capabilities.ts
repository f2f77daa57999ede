/**
 * The capabilities the agent runs, in start order (DESIGN §4): each plugs into the foundation
 * through the AgentContext. Their database tables are numbered migrations in
 * store/migrations.ts.
 */
import type { Capability } from './context.js';
import { ekycCapability } from './ekyc/capability.js';

export const CAPABILITIES: Capability[] = [
  // e-KYC captures (issue 7): accepted captures are recorded through the ledger.
  ekycCapability(),
];
