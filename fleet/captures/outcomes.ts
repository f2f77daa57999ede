/**
 * The receiver's memory of decided captures, for de-duplication by capture id: a resend is
 * answered `duplicate` with the first outcome. It holds the outcome only — never the envelope,
 * the citizen reference or the PidData (DESIGN §2).
 */
import sqlite3 from 'sqlite3';

export interface DecidedCapture {
  captureId: string;
  kioskId: string;
  outcome: 'accepted' | 'rejected';
  code?: string;
  reason?: string;
  authRef?: string;
  decidedAt: number;
}

export interface OutcomeStore {
  get(captureId: string): Promise<DecidedCapture | undefined>;
  /** Records a decision; the first one for a capture id wins. */
  put(d: DecidedCapture): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export class MemoryOutcomeStore implements OutcomeStore {
  readonly #m = new Map<string, DecidedCapture>();
  get(id: string): Promise<DecidedCapture | undefined> {
    return Promise.resolve(this.#m.get(id));
  }
  put(d: DecidedCapture): Promise<void> {
    if (!this.#m.has(d.captureId)) this.#m.set(d.captureId, d);
    return Promise.resolve();
  }
  count(): Promise<number> {
    return Promise.resolve(this.#m.size);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Row {
  capture_id: string;
  kiosk_id: string;
  outcome: 'accepted' | 'rejected';
  code: string | null;
  reason: string | null;
  auth_ref: string | null;
  decided_at: number;
}

/** SQLite (WAL, synchronous FULL): a decision is on disk before its result is published. */
export class SqliteOutcomeStore implements OutcomeStore {
  private constructor(private readonly db: sqlite3.Database) {}

  static async open(path: string): Promise<SqliteOutcomeStore> {
    const db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(path, (err) => (err ? reject(new Error(`cannot open the capture outcome database ${path}: ${err.message}`)) : resolve(d)));
    });
    const s = new SqliteOutcomeStore(db);
    await s.#exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;
       CREATE TABLE IF NOT EXISTS capture_outcomes (
         capture_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, outcome TEXT NOT NULL,
         code TEXT, reason TEXT, auth_ref TEXT, decided_at INTEGER NOT NULL
       ) WITHOUT ROWID;`,
    );
    return s;
  }

  #exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
  }

  get(id: string): Promise<DecidedCapture | undefined> {
    return new Promise((resolve, reject) =>
      this.db.get('SELECT * FROM capture_outcomes WHERE capture_id = ?', [id], (err: Error | null, r: Row | undefined) => {
        if (err) return reject(err);
        resolve(
          r && {
            captureId: r.capture_id,
            kioskId: r.kiosk_id,
            outcome: r.outcome,
            ...(r.code ? { code: r.code } : {}),
            ...(r.reason ? { reason: r.reason } : {}),
            ...(r.auth_ref ? { authRef: r.auth_ref } : {}),
            decidedAt: r.decided_at,
          },
        );
      }),
    );
  }

  /**
   * Group commit: decisions made while a commit is on its way to disk are written together by the
   * next one, so several lanes share an fsync. Each promise resolves once its row is durable.
   */
  put(d: DecidedCapture): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ d, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  #pending: { d: DecidedCapture; resolve: () => void; reject: (e: Error) => void }[] = [];
  #flushing = false;

  #run(sql: string, params: (string | number | null)[] = []): Promise<void> {
    return new Promise((resolve, reject) => this.db.run(sql, params, (err) => (err ? reject(err) : resolve())));
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#pending.length) {
      const batch = this.#pending.splice(0);
      try {
        await this.#run('BEGIN IMMEDIATE');
        for (const { d } of batch) {
          await this.#run(
            'INSERT OR IGNORE INTO capture_outcomes (capture_id, kiosk_id, outcome, code, reason, auth_ref, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [d.captureId, d.kioskId, d.outcome, d.code ?? null, d.reason ?? null, d.authRef ?? null, d.decidedAt],
          );
        }
        await this.#run('COMMIT');
        for (const b of batch) b.resolve();
      } catch (err) {
        await this.#run('ROLLBACK').catch(() => undefined);
        for (const b of batch) b.reject(err as Error);
      }
    }
    this.#flushing = false;
  }

  count(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.db.get('SELECT count(*) AS n FROM capture_outcomes', (err: Error | null, r: { n: number } | undefined) => (err ? reject(err) : resolve(r?.n ?? 0))),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.db.close(() => resolve()));
  }
}
