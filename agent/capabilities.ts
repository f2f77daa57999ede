/**
 * The capabilities the agent runs, in start order (DESIGN §4): each plugs into the foundation
 * through the AgentContext. Their database tables are numbered migrations in
 * store/migrations.ts.
 */
import type { Capability } from './context.js';

export const CAPABILITIES: Capability[] = [];
