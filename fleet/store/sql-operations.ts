/**
 * The fleet store in SQL that SQLite and PostgreSQL both run (parameters written `?`, which the
 * PostgreSQL adapter numbers): kiosks, events, counters, meta and the operations of issue 10.
 * SqliteFleetRepository and PgFleetRepository inherit it over their own connection with their
 * SqlDialect; every read-modify-write is one transaction of the adapter (DESIGN §7).
 */
import {
  type AlertChange,
  type AlertHistoryEntry,
  type AlertSeverity,
  JOB_FINAL,
  type JobRecord,
  type JobStatusPatch,
  type JobTarget,
  type JobTargetStatus,
  type OpenAlert,
  type SeqMark,
  type StoredTransaction,
} from './operations.js';
import type { FleetRepository, FleetSnapshot, KioskRecord, StoredEvent } from './repository.js';
import type { Sql } from './sqlite.js';
import { INSERT, UPSERT, kioskToParams, rowToAlert, rowToEvent, rowToJob, rowToKiosk, rowToTarget, rowToTxn, strOrNull } from './sql-rows.js';

/** What the store needs of a database: statements, transactions that may be retried, and consistent reads. */
export interface SqlDb extends Sql {
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Several reads from one snapshot. */
  snapshot<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

/** Where the two databases' SQL differs. */
export interface SqlDialect {
  /**
   * A transaction that reads and rewrites one row, and the clause that locks the row it reads.
   * SQLite has one writer at a time anyway; PostgreSQL takes the row lock under READ COMMITTED,
   * where SERIALIZABLE would abort most concurrent ingest transactions on unrelated kiosks.
   * A row created meanwhile makes the insert fail on its key and the transaction run again.
   */
  rowTransaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  readonly forUpdate: '' | ' FOR UPDATE';
  /** The larger of two values: SQLite's scalar MAX, PostgreSQL's GREATEST. */
  readonly greatest: 'MAX' | 'GREATEST';
  /** An integer parameter in arithmetic: PostgreSQL needs its type (`?::bigint`), SQLite does not. */
  readonly int: '?' | '?::bigint';
}

export abstract class SqlOperations implements Omit<FleetRepository, 'access' | 'close'> {
  protected constructor(
    protected readonly sql: SqlDb,
    private readonly dialect: SqlDialect,
  ) {}

  async getKiosk(kioskId: string): Promise<KioskRecord | undefined> {
    const row = await this.sql.get('SELECT * FROM kiosks WHERE kiosk_id = ?', [kioskId]);
    return row ? rowToKiosk(row) : undefined;
  }

  updateKiosk(kioskId: string, fn: (current: KioskRecord | undefined) => KioskRecord | undefined): Promise<KioskRecord | undefined> {
    return this.dialect.rowTransaction(async (tx) => {
      const row = await tx.get(`SELECT * FROM kiosks WHERE kiosk_id = ?${this.dialect.forUpdate}`, [kioskId]);
      const current = row ? rowToKiosk(row) : undefined;
      const next = fn(current);
      if (!next) return current;
      // A new kiosk is a plain insert: another PostgreSQL instance inserting it meanwhile makes
      // this one fail on the key and run again under the row lock, rather than overwrite it.
      await tx.run(current ? UPSERT : INSERT, kioskToParams({ ...next, kioskId }));
      return { ...next, kioskId };
    });
  }

  async addEvent(e: StoredEvent): Promise<boolean> {
    return (await this.#insertEvent(this.sql, e)) === 1;
  }

  /**
   * The event and its sequence mark in one transaction: a fleet killed between the two would
   * otherwise keep the event but not the mark, and the redelivered copy, now a duplicate, would
   * never close the hole. Undefined when the event was already stored.
   */
  addEventMarked(e: StoredEvent): Promise<SeqMark | undefined> {
    return this.dialect.rowTransaction(async (tx) =>
      (await this.#insertEvent(tx, e)) === 1 ? this.#noteSeq(tx, e.kioskId, 'events', e.seq) : undefined,
    );
  }

  async #insertEvent(sql: Sql, e: StoredEvent): Promise<number> {
    const res = await sql.run(
      `INSERT INTO events (kiosk_id, seq, type, severity, ts, mono, boot, synced, data_json, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, seq) DO NOTHING`,
      [e.kioskId, e.seq, e.type, e.severity, e.ts, e.mono, e.boot, e.synced ? 1 : 0, JSON.stringify(e.data), e.receivedAt],
    );
    return res.changes;
  }

  async listEvents(kioskId: string, limit = 100): Promise<StoredEvent[]> {
    const rows = await this.sql.all('SELECT * FROM events WHERE kiosk_id = ? ORDER BY seq DESC LIMIT ?', [kioskId, limit]);
    return rows.map(rowToEvent).reverse();
  }

  countInvalid(kioskId: string | undefined, error: string, at: number): Promise<void> {
    return this.sql.transaction(async (tx) => {
      // Columns qualified by their table: PostgreSQL finds a bare `value` ambiguous beside `excluded`.
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
    const row = await this.sql.get<{ value: number | string }>("SELECT value FROM counters WHERE name = 'invalid'");
    return Number(row?.value ?? 0);
  }

  async listKiosks(): Promise<KioskRecord[]> {
    return (await this.sql.all('SELECT * FROM kiosks ORDER BY kiosk_id')).map(rowToKiosk);
  }

  snapshot(): Promise<FleetSnapshot> {
    return this.sql.snapshot(async (tx) => {
      const kiosks = (await tx.all('SELECT * FROM kiosks ORDER BY kiosk_id')).map(rowToKiosk);
      const total = await tx.get<{ value: number | string }>("SELECT value FROM counters WHERE name = 'invalid'");
      const meta: Record<string, string> = {};
      for (const r of await tx.all<{ key: string; value: string }>('SELECT key, value FROM meta')) meta[r.key] = r.value;
      return { kiosks, invalidTotal: Number(total?.value ?? 0), meta };
    });
  }

  async listOverdue(now: number, misses: number, defaultHeartbeatSec: number, notBefore = 0): Promise<string[]> {
    const { greatest, int } = this.dialect;
    const rows = await this.sql.all<{ kiosk_id: string }>(
      `SELECT kiosk_id FROM kiosks WHERE liveness = 'online'
         AND ${greatest}(COALESCE(last_beat_at, 0), ${int}) + ${int} * COALESCE(heartbeat_sec, ${int}) * 1000 < ${int}
       ORDER BY kiosk_id`,
      [notBefore, misses, defaultHeartbeatSec, now],
    );
    return rows.map((r) => r.kiosk_id);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.sql.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
  }

  async addTransaction(t: StoredTransaction): Promise<boolean> {
    return (await this.#insertTransaction(this.sql, t)) === 1;
  }

  /** The transaction and its sequence mark in one transaction (see addEventMarked). */
  addTransactionMarked(t: StoredTransaction): Promise<SeqMark | undefined> {
    return this.dialect.rowTransaction(async (tx) =>
      (await this.#insertTransaction(tx, t)) === 1 ? this.#noteSeq(tx, t.kioskId, 'transactions', t.seq) : undefined,
    );
  }

  async #insertTransaction(sql: Sql, t: StoredTransaction): Promise<number> {
    const res = await sql.run(
      `INSERT INTO transactions (kiosk_id, seq, entry, ts, synced, service_code, status, amount_paise, balance_paise, data_json, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, seq) DO NOTHING`,
      [t.kioskId, t.seq, t.entry, t.ts, t.synced ? 1 : 0, t.serviceCode, t.status, t.amountPaise, t.balancePaise, JSON.stringify(t.data), t.receivedAt],
    );
    return res.changes;
  }

  async listTransactions(kioskId: string, limit = 100): Promise<StoredTransaction[]> {
    const rows = await this.sql.all('SELECT * FROM transactions WHERE kiosk_id = ? ORDER BY seq DESC LIMIT ?', [kioskId, limit]);
    return rows.map(rowToTxn).reverse();
  }

  async listServiceTransactions(codes: readonly string[], sinceTs: number): Promise<{ kioskId: string; district: string | null; ts: number }[]> {
    if (codes.length === 0) return [];
    const rows = await this.sql.all(
      `SELECT t.kiosk_id, k.district, t.ts FROM transactions t LEFT JOIN kiosks k ON k.kiosk_id = t.kiosk_id
       WHERE t.entry = 'transaction' AND t.status = 'success' AND t.ts >= ?
         AND t.service_code IN (${codes.map(() => '?').join(', ')})`,
      [sinceTs, ...codes],
    );
    return rows.map((r) => ({ kioskId: String(r.kiosk_id), district: strOrNull(r.district), ts: Number(r.ts) }));
  }

  noteSeq(kioskId: string, channel: string, seq: number): Promise<SeqMark> {
    return this.dialect.rowTransaction((tx) => this.#noteSeq(tx, kioskId, channel, seq));
  }

  async #noteSeq(tx: Sql, kioskId: string, channel: string, seq: number): Promise<SeqMark> {
    {
      const row = await tx.get<{ last_seq: number; missed: number }>(`SELECT last_seq, missed FROM seq_marks WHERE kiosk_id = ? AND channel = ?${this.dialect.forUpdate}`, [
        kioskId,
        channel,
      ]);
      if (!row) {
        await tx.run('INSERT INTO seq_marks (kiosk_id, channel, last_seq) VALUES (?, ?, ?)', [kioskId, channel, seq]);
        return { gap: 0, lastSeq: seq, missed: 0 };
      }
      // PostgreSQL hands BIGINT back as a string.
      const last = Number(row.last_seq);
      const missed = Number(row.missed);
      if (seq <= last) {
        // A straggler newly stored (the caller passes only those) fills one hole counted earlier:
        // with several fleet instances a kiosk's messages overtake each other, and `missed` must
        // end up counting only the holes that stay open. (One older than the first seq ever
        // noted closes a hole it did not open; the count can only come out low, never below 0.)
        if (missed === 0) return { gap: 0, lastSeq: last, missed };
        await tx.run('UPDATE seq_marks SET missed = missed - 1 WHERE kiosk_id = ? AND channel = ?', [kioskId, channel]);
        return { gap: 0, lastSeq: last, missed: missed - 1 };
      }
      const gap = seq - last - 1;
      await tx.run(
        `UPDATE seq_marks SET last_seq = ?, gaps = gaps + ?, missed = missed + ? WHERE kiosk_id = ? AND channel = ?`,
        [seq, gap > 0 ? 1 : 0, gap, kioskId, channel],
      );
      return { gap, lastSeq: seq, missed: missed + gap };
    }
  }

  async seqGaps(kioskId: string, channel?: string): Promise<{ gaps: number; missed: number }> {
    const row = await this.sql.get<{ gaps: number | null; missed: number | null }>(
      `SELECT SUM(gaps) AS gaps, SUM(missed) AS missed FROM seq_marks WHERE kiosk_id = ?${channel === undefined ? '' : ' AND channel = ?'}`,
      channel === undefined ? [kioskId] : [kioskId, channel],
    );
    return { gaps: Number(row?.gaps ?? 0), missed: Number(row?.missed ?? 0) };
  }

  createJob(job: JobRecord, kioskIds: readonly string[]): Promise<void> {
    return this.sql.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO jobs (job_id, type, params_json, target, created_at, expires_ts, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [job.jobId, job.type, JSON.stringify(job.params), job.target, job.createdAt, job.expiresTs, job.createdBy],
      );
      for (const id of kioskIds) {
        await tx.run("INSERT INTO job_targets (job_id, kiosk_id, status, updated_at) VALUES (?, ?, 'pending', ?)", [job.jobId, id, job.createdAt]);
      }
    });
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const row = await this.sql.get('SELECT * FROM jobs WHERE job_id = ?', [jobId]);
    return row ? rowToJob(row) : undefined;
  }

  async listJobs(limit = 100): Promise<JobRecord[]> {
    return (await this.sql.all('SELECT * FROM jobs ORDER BY created_at DESC, job_id DESC LIMIT ?', [limit])).map(rowToJob);
  }

  async listJobTargets(jobId: string): Promise<JobTarget[]> {
    return (await this.sql.all('SELECT * FROM job_targets WHERE job_id = ? ORDER BY kiosk_id', [jobId])).map(rowToTarget);
  }

  async listKioskJobs(kioskId: string, limit = 50): Promise<(JobTarget & { type: string })[]> {
    const rows = await this.sql.all(
      `SELECT t.*, j.type FROM job_targets t JOIN jobs j ON j.job_id = t.job_id
       WHERE t.kiosk_id = ? ORDER BY j.created_at DESC LIMIT ?`,
      [kioskId, limit],
    );
    return rows.map((r) => ({ ...rowToTarget(r), type: String(r.type) }));
  }

  updateJobTarget(jobId: string, kioskId: string, p: JobStatusPatch): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const row = await tx.get<{ status: string }>('SELECT status FROM job_targets WHERE job_id = ? AND kiosk_id = ?', [jobId, kioskId]);
      if (!row) return false;
      // The broker's acknowledgement may come after the kiosk already answered.
      if (p.status === 'sent' && row.status !== 'pending') return true;
      // A late `accepted` (or a duplicate's reply) must not hide the outcome already known.
      if (JOB_FINAL.includes(row.status as JobTargetStatus) && !JOB_FINAL.includes(p.status)) return true;
      if (JOB_FINAL.includes(row.status as JobTargetStatus) && p.status === 'rejected' && p.code === 'duplicate') return true;
      await tx.run(
        'UPDATE job_targets SET status = ?, code = ?, reason = ?, result_json = ?, updated_at = ? WHERE job_id = ? AND kiosk_id = ?',
        [p.status, p.code ?? null, p.reason ?? null, p.result ? JSON.stringify(p.result) : null, p.at, jobId, kioskId],
      );
      return true;
    });
  }

  expireJobTargets(now: number): Promise<{ jobId: string; kioskId: string }[]> {
    return this.sql.transaction(async (tx) => {
      const rows = await tx.all<{ job_id: string; kiosk_id: string }>(
        `SELECT t.job_id, t.kiosk_id FROM job_targets t JOIN jobs j ON j.job_id = t.job_id
         WHERE j.expires_ts < ? AND t.status IN ('pending', 'sent', 'accepted') ORDER BY t.job_id, t.kiosk_id`,
        [now],
      );
      for (const r of rows) {
        await tx.run(
          "UPDATE job_targets SET status = 'expired', code = 'expired', reason = 'no outcome before the expiry', updated_at = ? WHERE job_id = ? AND kiosk_id = ?",
          [now, r.job_id, r.kiosk_id],
        );
      }
      return rows.map((r) => ({ jobId: r.job_id, kioskId: r.kiosk_id }));
    });
  }

  updateAlerts(kioskId: string, fn: (open: OpenAlert[]) => AlertChange[]): Promise<AlertChange[]> {
    return this.sql.transaction(async (tx) => {
      const open = (await tx.all('SELECT * FROM alerts WHERE kiosk_id = ? ORDER BY kind', [kioskId])).map(rowToAlert);
      const changes = fn(open);
      for (const c of changes) {
        if (c.action === 'clear') {
          await tx.run('DELETE FROM alerts WHERE kiosk_id = ? AND kind = ?', [kioskId, c.kind]);
        } else {
          await tx.run(
            `INSERT INTO alerts (kiosk_id, kind, severity, detail, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (kiosk_id, kind) DO UPDATE SET severity = excluded.severity, detail = excluded.detail, updated_at = excluded.updated_at`,
            [kioskId, c.kind, c.severity, c.detail, c.openedAt, c.at],
          );
        }
        await tx.run('INSERT INTO alert_history (kiosk_id, kind, action, severity, detail, at) VALUES (?, ?, ?, ?, ?, ?)', [
          kioskId,
          c.kind,
          c.action,
          c.severity,
          c.detail,
          c.at,
        ]);
      }
      return changes;
    });
  }

  async listOpenAlerts(kioskId?: string): Promise<OpenAlert[]> {
    const rows = kioskId
      ? await this.sql.all('SELECT * FROM alerts WHERE kiosk_id = ? ORDER BY kind', [kioskId])
      : await this.sql.all('SELECT * FROM alerts ORDER BY kiosk_id, kind');
    return rows.map(rowToAlert);
  }

  async listAlertHistory(kioskId?: string, limit = 200): Promise<AlertHistoryEntry[]> {
    const rows = kioskId
      ? await this.sql.all('SELECT * FROM alert_history WHERE kiosk_id = ? ORDER BY id DESC LIMIT ?', [kioskId, limit])
      : await this.sql.all('SELECT * FROM alert_history ORDER BY id DESC LIMIT ?', [limit]);
    return rows.map((r) => ({
      id: Number(r.id),
      kioskId: String(r.kiosk_id),
      kind: String(r.kind),
      action: String(r.action) as AlertChange['action'],
      severity: String(r.severity) as AlertSeverity,
      detail: String(r.detail),
      at: Number(r.at),
    }));
  }
}
