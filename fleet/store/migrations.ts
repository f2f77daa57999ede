/**
 * Numbered schema migrations, applied in order; PRAGMA user_version records the last one applied.
 * Never edit a shipped migration: add the next number.
 */
import type { SqliteDb } from './sqlite.js';
import { ACCESS_SQLITE } from './access-migrations.js';

export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE kiosks (
        kiosk_id TEXT PRIMARY KEY,
        district TEXT,
        lsp TEXT,
        agent_version TEXT,
        liveness TEXT NOT NULL DEFAULT 'unknown',
        reason TEXT NOT NULL DEFAULT 'none',
        session INTEGER,
        liveness_since INTEGER,
        heartbeat_sec INTEGER,
        keepalive_sec INTEGER,
        last_beat_at INTEGER,
        last_seen_at INTEGER,
        status_json TEXT,
        status_at INTEGER,
        heartbeat_json TEXT,
        heartbeat_at INTEGER,
        state_json TEXT,
        state_at INTEGER,
        invalid_count INTEGER NOT NULL DEFAULT 0,
        last_invalid_error TEXT,
        last_invalid_at INTEGER
      );
      CREATE INDEX kiosks_liveness ON kiosks (liveness, last_beat_at);
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kiosk_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        ts INTEGER NOT NULL,
        mono INTEGER NOT NULL,
        boot TEXT NOT NULL,
        synced INTEGER NOT NULL,
        data_json TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        UNIQUE (kiosk_id, seq)
      );
      CREATE INDEX events_kiosk_received ON events (kiosk_id, received_at);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    // Operations (issue 10): transactions, sequence marks, jobs with a row per kiosk, alerts with history.
    version: 2,
    sql: `
      CREATE TABLE transactions (
        kiosk_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        entry TEXT NOT NULL,
        ts INTEGER NOT NULL,
        synced INTEGER NOT NULL,
        service_code TEXT,
        status TEXT,
        amount_paise INTEGER NOT NULL,
        balance_paise INTEGER NOT NULL,
        data_json TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (kiosk_id, seq)
      );
      CREATE INDEX transactions_service_ts ON transactions (service_code, ts);
      CREATE TABLE seq_marks (
        kiosk_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        gaps INTEGER NOT NULL DEFAULT 0,
        missed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (kiosk_id, channel)
      );
      CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        params_json TEXT NOT NULL,
        target TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_ts INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE INDEX jobs_created ON jobs (created_at);
      CREATE TABLE job_targets (
        job_id TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        status TEXT NOT NULL,
        code TEXT,
        reason TEXT,
        result_json TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (job_id, kiosk_id)
      );
      CREATE INDEX job_targets_kiosk ON job_targets (kiosk_id, updated_at);
      CREATE TABLE alerts (
        kiosk_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        detail TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (kiosk_id, kind)
      );
      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kiosk_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        action TEXT NOT NULL,
        severity TEXT NOT NULL,
        detail TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX alert_history_kiosk ON alert_history (kiosk_id, id);
    `,
  },
  // Access (issue 10 §5): users, sessions, login throttle, audit log.
  { version: 3, sql: ACCESS_SQLITE },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export async function schemaVersion(db: SqliteDb): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

/** Brings the schema up to date; refuses a database written by a newer kiosk-fleet. */
export async function migrate(db: SqliteDb): Promise<number> {
  const current = await schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(`fleet database schema ${current} is newer than this kiosk-fleet understands (${SCHEMA_VERSION})`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.exec(`PRAGMA user_version = ${m.version}`);
    });
  }
  return SCHEMA_VERSION;
}
