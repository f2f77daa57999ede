/**
 * The PostgreSQL implementation of FleetRepository, for several fleet instances sharing one
 * database behind a shared subscription (DESIGN §7). The same rows as SQLite; each kiosk update
 * reads its row under the row lock (READ COMMITTED, `SELECT … FOR UPDATE`) and is retried when
 * another instance created the row meanwhile, so `fn` may run more than once.
 */
import { PgDb, ROW_LOCKED } from './pg.js';
import { migratePg } from './pg-migrations.js';
import type { FleetRepository, FleetSnapshot, KioskRecord, StoredEvent } from './repository.js';
import { SqlOperations } from './sql-operations.js';
import type { AccessRepository } from './access.js';
import { SqlAccess } from './sql-access.js';
import { COLUMNS, kioskToParams, rowToEvent, rowToKiosk, UPSERT } from './sqlite-repository.js';
import type { Sql } from './sqlite.js';

const INSERT = `INSERT INTO kiosks (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;

export class PgFleetRepository extends SqlOperations implements FleetRepository {
  readonly access: AccessRepository;

  private constructor(readonly db: PgDb) {
    super(db);
    this.access = new SqlAccess(db);
  }

  /** Connects (e.g. `postgres://fleet@db/fleet`) and brings the schema up to date. */
  static async open(connectionString: string): Promise<PgFleetRepository> {
    const db = PgDb.open(connectionString);
    try {
      await migratePg(db);
    } catch (err) {
      await db.close();
      throw new Error(`cannot open the fleet database: ${(err as Error).message}`, { cause: err });
    }
    return new PgFleetRepository(db);
  }

  async getKiosk(kioskId: string): Promise<KioskRecord | undefined> {
    const row = await this.db.get('SELECT * FROM kiosks WHERE kiosk_id = ?', [kioskId]);
    return row ? rowToKiosk(row) : undefined;
  }

  protected override rowTransaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction(fn, ROW_LOCKED);
  }
  protected override readonly forUpdate = ' FOR UPDATE';

  updateKiosk(kioskId: string, fn: (current: KioskRecord | undefined) => KioskRecord | undefined): Promise<KioskRecord | undefined> {
    return this.rowTransaction(async (tx) => {
      const row = await tx.get('SELECT * FROM kiosks WHERE kiosk_id = ? FOR UPDATE', [kioskId]);
      const current = row ? rowToKiosk(row) : undefined;
      const next = fn(current);
      if (!next) return current;
      // A new kiosk is a plain insert: another instance inserting it meanwhile makes this one
      // fail on the key and run again under the row lock, rather than overwrite it.
      await tx.run(current ? UPSERT : INSERT, kioskToParams({ ...next, kioskId }));
      return { ...next, kioskId };
    });
  }

  async addEvent(e: StoredEvent): Promise<boolean> {
    const res = await this.db.run(
      `INSERT INTO events (kiosk_id, seq, type, severity, ts, mono, boot, synced, data_json, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, seq) DO NOTHING`,
      [e.kioskId, e.seq, e.type, e.severity, e.ts, e.mono, e.boot, e.synced ? 1 : 0, JSON.stringify(e.data), e.receivedAt],
    );
    return res.changes === 1;
  }

  async listEvents(kioskId: string, limit = 100): Promise<StoredEvent[]> {
    const rows = await this.db.all('SELECT * FROM events WHERE kiosk_id = ? ORDER BY seq DESC LIMIT ?', [kioskId, limit]);
    return rows.map(rowToEvent).reverse();
  }

  countInvalid(kioskId: string | undefined, error: string, at: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run(`INSERT INTO counters (name, value) VALUES ('invalid', 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`);
      if (kioskId === undefined) return;
      await tx.run(
        `INSERT INTO kiosks (kiosk_id, invalid_count, last_invalid_error, last_invalid_at) VALUES (?, 1, ?, ?)
         ON CONFLICT (kiosk_id) DO UPDATE SET invalid_count = kiosks.invalid_count + 1,
           last_invalid_error = excluded.last_invalid_error, last_invalid_at = excluded.last_invalid_at`,
        [kioskId, error.slice(0, 500), at],
      );
    });
  }

  async invalidTotal(): Promise<number> {
    const row = await this.db.get<{ value: string }>("SELECT value FROM counters WHERE name = 'invalid'");
    return Number(row?.value ?? 0);
  }

  async listKiosks(): Promise<KioskRecord[]> {
    return (await this.db.all('SELECT * FROM kiosks ORDER BY kiosk_id')).map(rowToKiosk);
  }

  snapshot(): Promise<FleetSnapshot> {
    return this.db.snapshot(async (tx) => {
      const kiosks = (await tx.all('SELECT * FROM kiosks ORDER BY kiosk_id')).map(rowToKiosk);
      const total = await tx.get<{ value: string }>("SELECT value FROM counters WHERE name = 'invalid'");
      const meta: Record<string, string> = {};
      for (const r of await tx.all<{ key: string; value: string }>('SELECT key, value FROM meta')) meta[r.key] = r.value;
      return { kiosks, invalidTotal: Number(total?.value ?? 0), meta };
    });
  }

  async listOverdue(now: number, misses: number, defaultHeartbeatSec: number, notBefore = 0): Promise<string[]> {
    const rows = await this.db.all<{ kiosk_id: string }>(
      `SELECT kiosk_id FROM kiosks WHERE liveness = 'online'
         AND GREATEST(COALESCE(last_beat_at, 0), ?::bigint) + ?::bigint * COALESCE(heartbeat_sec, ?::bigint) * 1000 < ?::bigint
       ORDER BY kiosk_id`,
      [notBefore, misses, defaultHeartbeatSec, now],
    );
    return rows.map((r) => r.kiosk_id);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
