/**
 * The PostgreSQL schema: the same tables as the SQLite migrations, with BIGINT times and
 * counters. Numbered; `schema_version` records the last applied. Never edit a shipped one.
 */
import type { PgDb } from './pg.js';
import { ACCESS_PG } from './access-migrations.js';

export const PG_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE kiosks (
        kiosk_id TEXT PRIMARY KEY, district TEXT, lsp TEXT, agent_version TEXT,
        liveness TEXT NOT NULL DEFAULT 'unknown', reason TEXT NOT NULL DEFAULT 'none',
        session BIGINT, liveness_since BIGINT, heartbeat_sec BIGINT, keepalive_sec BIGINT,
        last_beat_at BIGINT, last_seen_at BIGINT,
        status_json TEXT, status_at BIGINT, heartbeat_json TEXT, heartbeat_at BIGINT, state_json TEXT, state_at BIGINT,
        invalid_count BIGINT NOT NULL DEFAULT 0, last_invalid_error TEXT, last_invalid_at BIGINT
      );
      CREATE INDEX kiosks_liveness ON kiosks (liveness, last_beat_at);
      CREATE TABLE events (
        id BIGSERIAL PRIMARY KEY, kiosk_id TEXT NOT NULL, seq BIGINT NOT NULL, type TEXT NOT NULL, severity TEXT NOT NULL,
        ts BIGINT NOT NULL, mono BIGINT NOT NULL, boot TEXT NOT NULL, synced INTEGER NOT NULL, data_json TEXT NOT NULL,
        received_at BIGINT NOT NULL, UNIQUE (kiosk_id, seq)
      );
      CREATE INDEX events_kiosk_received ON events (kiosk_id, received_at);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE transactions (
        kiosk_id TEXT NOT NULL, seq BIGINT NOT NULL, entry TEXT NOT NULL, ts BIGINT NOT NULL, synced INTEGER NOT NULL,
        service_code TEXT, status TEXT, amount_paise BIGINT NOT NULL, balance_paise BIGINT NOT NULL, data_json TEXT NOT NULL,
        received_at BIGINT NOT NULL, PRIMARY KEY (kiosk_id, seq)
      );
      CREATE INDEX transactions_service_ts ON transactions (service_code, ts);
      CREATE TABLE seq_marks (
        kiosk_id TEXT NOT NULL, channel TEXT NOT NULL, last_seq BIGINT NOT NULL,
        gaps BIGINT NOT NULL DEFAULT 0, missed BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (kiosk_id, channel)
      );
      CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY, type TEXT NOT NULL, params_json TEXT NOT NULL, target TEXT NOT NULL,
        created_at BIGINT NOT NULL, expires_ts BIGINT NOT NULL, created_by TEXT NOT NULL
      );
      CREATE INDEX jobs_created ON jobs (created_at);
      CREATE TABLE job_targets (
        job_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, status TEXT NOT NULL, code TEXT, reason TEXT, result_json TEXT,
        updated_at BIGINT NOT NULL, PRIMARY KEY (job_id, kiosk_id)
      );
      CREATE INDEX job_targets_kiosk ON job_targets (kiosk_id, updated_at);
      CREATE TABLE alerts (
        kiosk_id TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL, detail TEXT NOT NULL,
        opened_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (kiosk_id, kind)
      );
      CREATE TABLE alert_history (
        id BIGSERIAL PRIMARY KEY, kiosk_id TEXT NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL,
        severity TEXT NOT NULL, detail TEXT NOT NULL, at BIGINT NOT NULL
      );
      CREATE INDEX alert_history_kiosk ON alert_history (kiosk_id, id);
    `,
  },
  // Access (issue 10 §5): users, sessions, login throttle, audit log.
  { version: 2, sql: ACCESS_PG },
];

/** Brings the schema up to date; two instances starting together take turns on an advisory lock. */
export async function migratePg(db: PgDb): Promise<number> {
  const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]?.version ?? 0;
  await db.transaction(async (tx) => {
    await tx.exec('SELECT pg_advisory_xact_lock(727001)');
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = await tx.get<{ version: number }>('SELECT MAX(version) AS version FROM schema_version');
    const current = Number(row?.version ?? 0);
    if (current > latest) throw new Error(`fleet database schema ${current} is newer than this kiosk-fleet understands (${latest})`);
    for (const m of PG_MIGRATIONS) {
      if (m.version <= current) continue;
      await tx.exec(m.sql);
      await tx.run('INSERT INTO schema_version (version) VALUES (?)', [m.version]);
    }
  }, 'ISOLATION LEVEL READ COMMITTED');
  return latest;
}
