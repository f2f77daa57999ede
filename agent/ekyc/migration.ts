/**
 * Migration 3: the e-KYC capture queue. A row holds no secret: the sealed envelope lives only in
 * its outbox row (ciphertext, deleted on PUBACK or expiry with secure_delete on), and the citizen
 * reference only inside the seal. Age is kept on monotonic time per boot (`age_ms` measured up to
 * `age_mono` of boot `age_boot`), so a wrong wall clock cannot keep a stale capture alive.
 */
import type { Migration } from '../store/migrations.js';

export const EKYC_MIGRATION: Migration = {
  version: 3,
  name: 'e-KYC captures',
  sql: `
    CREATE TABLE captures (
      id TEXT PRIMARY KEY,
      request_id TEXT UNIQUE,
      service TEXT NOT NULL,
      modality TEXT NOT NULL CHECK (modality IN ('fingerprint', 'otp')),
      state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'accepted', 'rejected', 'duplicate', 'expired')),
      created_ts INTEGER NOT NULL,
      created_synced INTEGER NOT NULL,
      ttl_sec INTEGER NOT NULL,
      age_ms INTEGER NOT NULL DEFAULT 0,
      age_boot TEXT NOT NULL,
      age_mono INTEGER NOT NULL,
      outbox_id INTEGER,
      code TEXT,
      reason TEXT,
      auth_ref TEXT,
      operator TEXT,
      updated_ts INTEGER NOT NULL,
      txn_recorded INTEGER NOT NULL DEFAULT 0,
      printed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX captures_state ON captures (state, created_ts);
  `,
};

/**
 * Migration 6: a sent capture central never answered within its time to live becomes `expired`
 * with reason `unanswered` (its envelope deleted, reference rd-service-ekyc.md §2.6). Central may
 * still have authenticated it, so an answer that comes after is applied; `answered_late` records
 * that it came after the expiry (the operator sees why an expired capture turned accepted).
 */
export const EKYC_LATE_MIGRATION: Migration = {
  version: 6,
  name: 'e-KYC answers after the time to live',
  sql: `ALTER TABLE captures ADD COLUMN answered_late INTEGER NOT NULL DEFAULT 0;`,
};
