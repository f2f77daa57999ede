/** The SQLite implementation of FleetRepository: one machine, one connection (DESIGN §7). */
import type { HeartbeatMessage, StateMessage, StatusMessage } from '../../protocols/telemetry/index.js';
import { migrate, schemaVersion } from './migrations.js';
import type { FleetRepository, FleetSnapshot, KioskRecord, Liveness, LivenessReason, StoredEvent } from './repository.js';
import { type Row, type SqlValue, SqliteDb } from './sqlite.js';
import { SqlOperations } from './sql-operations.js';
import type { AccessRepository } from './access.js';
import { SqlAccess } from './sql-access.js';

export const COLUMNS = [
  'kiosk_id',
  'district',
  'lsp',
  'agent_version',
  'liveness',
  'reason',
  'session',
  'liveness_since',
  'heartbeat_sec',
  'keepalive_sec',
  'last_beat_at',
  'last_seen_at',
  'status_json',
  'status_at',
  'heartbeat_json',
  'heartbeat_at',
  'state_json',
  'state_at',
  'invalid_count',
  'last_invalid_error',
  'last_invalid_at',
] as const;

export const UPSERT = `INSERT INTO kiosks (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (kiosk_id) DO UPDATE SET ${COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

function json<T>(text: unknown): T | null {
  return typeof text === 'string' ? (JSON.parse(text) as T) : null;
}
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function rowToKiosk(r: Row): KioskRecord {
  return {
    kioskId: String(r.kiosk_id),
    district: str(r.district),
    lsp: str(r.lsp),
    agentVersion: str(r.agent_version),
    liveness: String(r.liveness) as Liveness,
    reason: String(r.reason) as LivenessReason,
    session: num(r.session),
    livenessSince: num(r.liveness_since),
    heartbeatSec: num(r.heartbeat_sec),
    keepaliveSec: num(r.keepalive_sec),
    lastBeatAt: num(r.last_beat_at),
    lastSeenAt: num(r.last_seen_at),
    status: json<StatusMessage>(r.status_json),
    statusAt: num(r.status_at),
    heartbeat: json<HeartbeatMessage>(r.heartbeat_json),
    heartbeatAt: num(r.heartbeat_at),
    state: json<StateMessage>(r.state_json),
    stateAt: num(r.state_at),
    invalidCount: Number(r.invalid_count ?? 0),
    lastInvalidError: str(r.last_invalid_error),
    lastInvalidAt: num(r.last_invalid_at),
  };
}

export function kioskToParams(k: KioskRecord): SqlValue[] {
  const js = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));
  return [
    k.kioskId,
    k.district,
    k.lsp,
    k.agentVersion,
    k.liveness,
    k.reason,
    k.session,
    k.livenessSince,
    k.heartbeatSec,
    k.keepaliveSec,
    k.lastBeatAt,
    k.lastSeenAt,
    js(k.status),
    k.statusAt,
    js(k.heartbeat),
    k.heartbeatAt,
    js(k.state),
    k.stateAt,
    k.invalidCount,
    k.lastInvalidError,
    k.lastInvalidAt,
  ];
}

export function rowToEvent(r: Row): StoredEvent {
  return {
    kioskId: String(r.kiosk_id),
    seq: Number(r.seq),
    type: String(r.type),
    severity: String(r.severity),
    ts: Number(r.ts),
    mono: Number(r.mono),
    boot: String(r.boot),
    synced: Number(r.synced) === 1,
    data: JSON.parse(String(r.data_json)) as Record<string, unknown>,
    receivedAt: Number(r.received_at),
  };
}

export class SqliteFleetRepository extends SqlOperations implements FleetRepository {
  readonly access: AccessRepository;

  private constructor(readonly db: SqliteDb) {
    super(db);
    this.access = new SqlAccess(db);
  }

  /** Opens (creating and migrating) the fleet database for the monitor that writes it. */
  static async open(path: string): Promise<SqliteFleetRepository> {
    const db = await SqliteDb.open(path).catch((err: Error) => {
      throw new Error(`cannot open the fleet database ${path}: ${err.message}`);
    });
    try {
      await migrate(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new SqliteFleetRepository(db);
  }

  /** Opens an existing fleet database read-only, for `kiosk-fleet status` beside a running monitor. */
  static async openReadonly(path: string): Promise<SqliteFleetRepository> {
    const db = await SqliteDb.open(path, { readonly: true }).catch((err: Error) => {
      throw new Error(`cannot read the fleet database ${path}: ${err.message}`);
    });
    if ((await schemaVersion(db)) === 0) {
      await db.close();
      throw new Error(`${path} is not a fleet database (no schema); start \`kiosk-fleet serve --db ${path}\` first`);
    }
    return new SqliteFleetRepository(db);
  }

  async getKiosk(kioskId: string): Promise<KioskRecord | undefined> {
    const row = await this.db.get('SELECT * FROM kiosks WHERE kiosk_id = ?', [kioskId]);
    return row ? rowToKiosk(row) : undefined;
  }

  updateKiosk(
    kioskId: string,
    fn: (current: KioskRecord | undefined) => KioskRecord | undefined,
  ): Promise<KioskRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get('SELECT * FROM kiosks WHERE kiosk_id = ?', [kioskId]);
      const current = row ? rowToKiosk(row) : undefined;
      const next = fn(current);
      if (!next) return current;
      await tx.run(UPSERT, kioskToParams({ ...next, kioskId }));
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
      await tx.run(
        `INSERT INTO counters (name, value) VALUES ('invalid', 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1`,
      );
      if (kioskId === undefined) return;
      await tx.run(
        `INSERT INTO kiosks (kiosk_id, invalid_count, last_invalid_error, last_invalid_at) VALUES (?, 1, ?, ?)
         ON CONFLICT (kiosk_id) DO UPDATE SET invalid_count = invalid_count + 1,
           last_invalid_error = excluded.last_invalid_error, last_invalid_at = excluded.last_invalid_at`,
        [kioskId, error.slice(0, 500), at],
      );
    });
  }

  async invalidTotal(): Promise<number> {
    const row = await this.db.get<{ value: number }>("SELECT value FROM counters WHERE name = 'invalid'");
    return row?.value ?? 0;
  }

  async listKiosks(): Promise<KioskRecord[]> {
    const rows = await this.db.all('SELECT * FROM kiosks ORDER BY kiosk_id');
    return rows.map(rowToKiosk);
  }

  snapshot(): Promise<FleetSnapshot> {
    return this.db.snapshot(async (tx) => {
      const kiosks = (await tx.all('SELECT * FROM kiosks ORDER BY kiosk_id')).map(rowToKiosk);
      const total = await tx.get<{ value: number }>("SELECT value FROM counters WHERE name = 'invalid'");
      const meta: Record<string, string> = {};
      for (const r of await tx.all<{ key: string; value: string }>('SELECT key, value FROM meta')) meta[r.key] = r.value;
      return { kiosks, invalidTotal: total?.value ?? 0, meta };
    });
  }

  async listOverdue(now: number, misses: number, defaultHeartbeatSec: number, notBefore = 0): Promise<string[]> {
    const rows = await this.db.all<{ kiosk_id: string }>(
      `SELECT kiosk_id FROM kiosks WHERE liveness = 'online'
         AND MAX(COALESCE(last_beat_at, 0), ?) + ? * COALESCE(heartbeat_sec, ?) * 1000 < ?
       ORDER BY kiosk_id`,
      [notBefore, misses, defaultHeartbeatSec, now],
    );
    return rows.map((r) => r.kiosk_id);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]);
    return row?.value;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
