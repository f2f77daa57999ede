/**
 * A small promise wrapper over one `sqlite3` connection. The fleet keeps its own (the agent's
 * store is not shared across the DESIGN §3 boundary). Every statement and every transaction goes
 * through one queue, so a transaction's statements never interleave with another caller's on
 * the shared connection.
 */
import sqlite3 from 'sqlite3';

export type SqlValue = string | number | bigint | null | Buffer;
export type Row = Record<string, unknown>;

export interface Sql {
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number; lastID: number }>;
  get<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  all<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export interface OpenOptions {
  readonly?: boolean;
}

/** Prepared statements kept per connection; beyond this many, the least recently used is finalized. */
const STATEMENT_CACHE = 200;

export class SqliteDb implements Sql {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /**
   * Statements prepared once and run many times, by SQL text: ingest runs the same few statements
   * for every message, and preparing the 21-column kiosk upsert each time cost more than running it.
   */
  private readonly statements = new Map<string, sqlite3.Statement>();

  private constructor(private readonly db: sqlite3.Database) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<SqliteDb> {
    const mode = opts.readonly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(path, mode, (err) => (err ? reject(err) : resolve(db)));
    });
    const db = new SqliteDb(raw);
    // A reader waits for the writer's checkpoint instead of failing with SQLITE_BUSY.
    await db.exec('PRAGMA busy_timeout = 5000');
    if (!opts.readonly) {
      await db.exec('PRAGMA journal_mode = WAL');
      // Fleet rows are rebuilt from retained messages and the next heartbeat, so NORMAL
      // (durable up to the last checkpoint) is enough and keeps ingest fast.
      await db.exec('PRAGMA synchronous = NORMAL');
      await db.exec('PRAGMA foreign_keys = ON');
    }
    return db;
  }

  /** Runs `fn` alone on the connection: nothing else is queued in between. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** The prepared statement for `sql`, prepared on first use. */
  private async statement(sql: string): Promise<sqlite3.Statement> {
    const cached = this.statements.get(sql);
    if (cached) {
      // Most recently used last, so eviction takes the one unused longest.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const stmt = await new Promise<sqlite3.Statement>((resolve, reject) => {
      const st: sqlite3.Statement = this.db.prepare(sql, (err: Error | null) => (err ? reject(err) : resolve(st)));
    });
    this.statements.set(sql, stmt);
    if (this.statements.size > STATEMENT_CACHE) {
      const [oldest, old] = this.statements.entries().next().value as [string, sqlite3.Statement];
      this.statements.delete(oldest);
      old.finalize();
    }
    return stmt;
  }

  private async rawRun(sql: string, params: SqlValue[] = []): Promise<{ changes: number; lastID: number }> {
    const stmt = await this.statement(sql);
    return new Promise((resolve, reject) => {
      stmt.run(params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  /**
   * The first row. Stepped to the end (the fleet's single-row reads are by key or aggregates): a
   * prepared statement stopped after one row would hold its read open, and with it the WAL.
   */
  private async rawGet<T>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return (await this.rawAll<T>(sql, params))[0];
  }

  private async rawAll<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    const stmt = await this.statement(sql);
    return new Promise((resolve, reject) => {
      stmt.all(params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
    });
  }

  private rawExec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  private readonly direct: Sql = {
    run: (sql, params) => this.rawRun(sql, params),
    get: <T extends Row>(sql: string, params?: SqlValue[]) => this.rawGet<T>(sql, params),
    all: <T extends Row>(sql: string, params?: SqlValue[]) => this.rawAll<T>(sql, params),
    exec: (sql) => this.rawExec(sql),
  };

  run(sql: string, params?: SqlValue[]): Promise<{ changes: number; lastID: number }> {
    return this.serial(() => this.rawRun(sql, params));
  }

  get<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.serial(() => this.rawGet<T>(sql, params));
  }

  all<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.serial(() => this.rawAll<T>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.serial(() => this.rawExec(sql));
  }

  /**
   * BEGIN IMMEDIATE … COMMIT around `fn`, which gets a handle that bypasses the queue (it already
   * holds it). IMMEDIATE takes the write lock up front, so a concurrent `kiosk-fleet status`
   * reader never turns the transaction into a deadlocked upgrade.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.rawExec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        await this.rawExec('COMMIT');
        return result;
      } catch (err) {
        await this.rawExec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Several reads from one consistent snapshot (a deferred transaction; works read-only too). */
  snapshot<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.rawExec('BEGIN');
      try {
        return await fn(this.direct);
      } finally {
        await this.rawExec('COMMIT').catch(() => undefined);
      }
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.serial(async () => {
      for (const stmt of this.statements.values()) await new Promise<void>((resolve) => stmt.finalize(() => resolve()));
      this.statements.clear();
      await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
    });
  }
}
