/**
 * Migration 4: the receipt printer's job queue (issue 5). A row is written `queued` before the
 * job is accepted and `sending` before its first byte goes out, so after a kill -9 or a power
 * cut every job is either still queued (printed once, later), or uncertain (shown to the
 * operator) — never silently printed twice nor lost. `seq` is the print order.
 */
import type { Migration } from '../store/migrations.js';

export const PRINTER_MIGRATION: Migration = {
  version: 4,
  name: 'receipt print jobs',
  sql: `
    CREATE TABLE print_jobs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      key TEXT NOT NULL,
      doc TEXT NOT NULL,
      duplicate INTEGER NOT NULL CHECK (duplicate IN (0, 1)),
      reprint_of TEXT,
      state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'printed', 'uncertain', 'reprinted', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      created_ts INTEGER NOT NULL,
      updated_ts INTEGER NOT NULL,
      outcome TEXT,
      error TEXT
    );
    CREATE INDEX print_jobs_state ON print_jobs (state, seq);
    CREATE INDEX print_jobs_key ON print_jobs (key);
  `,
};
