/**
 * Numbered schema migrations, tracked in PRAGMA user_version. Each runs in its own
 * transaction with the version bump, so a crash mid-migration leaves the previous version.
 * Later capabilities append to AGENT_MIGRATIONS; a number, once released, never changes.
 */
import { LEDGER_SQL } from '../ledger/schema.js';
import type { Queries } from './db.js';
import { EKYC_LATE_MIGRATION, EKYC_MIGRATION } from '../ekyc/migration.js';
import { PRINTER_MIGRATION } from '../printer/migration.js';
import { LINK_MIGRATION } from '../mqtt/migration.js';
import { AUTH_SLIDING_MIGRATION } from '../auth/migration.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const AGENT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'outbox, counters, events, kv',
    sql: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        topic TEXT NOT NULL,
        class TEXT NOT NULL CHECK (class IN ('periodic', 'durable', 'capture')),
        retain INTEGER NOT NULL DEFAULT 0,
        payload TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_ts INTEGER NOT NULL
      );
      CREATE INDEX outbox_channel ON outbox (channel, id);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        ts INTEGER NOT NULL,
        mono INTEGER NOT NULL,
        boot TEXT NOT NULL,
        synced INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'ledger, wallet, jobs, logins (issue 8)',
    sql: LEDGER_SQL,
  },
  EKYC_MIGRATION,
  PRINTER_MIGRATION,
  LINK_MIGRATION,
  EKYC_LATE_MIGRATION,
  AUTH_SLIDING_MIGRATION,
];

interface Migratable extends Queries {
  transaction<T>(fn: (tx: Queries) => Promise<T>): Promise<T>;
}

export async function migrate(store: Migratable, migrations: Migration[] = AGENT_MIGRATIONS): Promise<number[]> {
  const row = await store.get<{ user_version: number }>('PRAGMA user_version');
  const current = row?.user_version ?? 0;
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > latest) {
    throw new Error(`database schema ${current} is newer than this agent (${latest}); refusing to touch it`);
  }
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    await store.transaction(async (tx) => {
      await tx.exec(m.sql);
      // PRAGMA takes no bound parameters; the version is our own integer.
      await tx.exec(`PRAGMA user_version = ${Math.trunc(m.version)}`);
    });
    applied.push(m.version);
  }
  return applied;
}
