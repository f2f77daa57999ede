/**
 * The agent's one SQLite connection (through `sqlite3`). WAL with synchronous=FULL: a commit
 * is on disk before the promise resolves, so a fact acknowledged to a caller survives a
 * kill -9 or a power cut (https://sqlite.org/pragma.html#pragma_synchronous).
 *
 * Every statement goes through one queue. A transaction holds the queue from BEGIN to COMMIT,
 * so nothing else can slip into it on the shared connection: a fact and its outbox row are
 * written together or not at all.
 */
import sqlite3 from 'sqlite3';
import type { Logger } from '../../drivers/common/logger.js';
import { migrate, type Migration } from './migrations.js';

export type Param = string | number | bigint | null | Buffer | Uint8Array;
export type Row = Record<string, unknown>;

export interface RunResult {
  changes: number;
  lastID: number;
}

/** The statements available inside a transaction (and, queued, outside one). */
export interface Queries {
  run(sql: string, params?: Param[]): Promise<RunResult>;
  get<T = Row>(sql: string, params?: Param[]): Promise<T | undefined>;
  all<T = Row>(sql: string, params?: Param[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function wrap(err: Error & { code?: string }, sql: string): StoreError {
  const code = err.code ?? 'SQLITE_ERROR';
  const hint = code === 'SQLITE_FULL' ? ' (disk full)' : '';
  // The statement text is ours, never data: parameters are bound, so no payload leaks here.
  return new StoreError(`${err.message}${hint} in: ${sql.replace(/\s+/g, ' ').slice(0, 80)}`, code, { cause: err });
}

class Connection implements Queries {
  constructor(private readonly db: sqlite3.Database) {}

  run(sql: string, params: Param[] = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(wrap(err, sql));
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(wrap(err, sql)) : resolve(row)));
    });
  }

  all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(wrap(err, sql)) : resolve(rows)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => (err ? reject(wrap(err, sql)) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(wrap(err, 'close')) : resolve())));
  }
}

export interface OpenOptions {
  logger: Logger;
  migrations?: Migration[];
}

export class Store implements Queries {
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    private readonly conn: Connection,
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  static async open(path: string, opts: OpenOptions): Promise<Store> {
    const db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(path, (err) => (err ? reject(wrap(err, `open ${path}`)) : resolve(d)));
    });
    const conn = new Connection(db);
    // busy_timeout only matters for outside readers (kioskctl, tests); the agent is the one writer.
    await conn.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; ' +
        'PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;',
    );
    const store = new Store(conn, path, opts.logger);
    const applied = await migrate(store, opts.migrations);
    if (applied.length) opts.logger.info({ applied }, 'store migrated');
    return store;
  }

  /** Runs `task` alone on the connection, after everything queued before it. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreError('store is closed', 'STORE_CLOSED'));
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  run(sql: string, params?: Param[]): Promise<RunResult> {
    return this.#serial(() => this.conn.run(sql, params));
  }
  get<T = Row>(sql: string, params?: Param[]): Promise<T | undefined> {
    return this.#serial(() => this.conn.get<T>(sql, params));
  }
  all<T = Row>(sql: string, params?: Param[]): Promise<T[]> {
    return this.#serial(() => this.conn.all<T>(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.#serial(() => this.conn.exec(sql));
  }

  /**
   * BEGIN IMMEDIATE … COMMIT around `fn`; any throw rolls back and rethrows. `fn` must use the
   * `tx` it is given (calling the store itself from inside would wait for its own end).
   */
  transaction<T>(fn: (tx: Queries) => Promise<T>): Promise<T> {
    return this.#serial(async () => {
      await this.conn.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this.conn);
        await this.conn.exec('COMMIT');
        return out;
      } catch (err) {
        try {
          await this.conn.exec('ROLLBACK');
        } catch (rollbackErr) {
          this.logger.error({ err: rollbackErr }, 'rollback failed');
        }
        throw err;
      }
    });
  }

  /** Folds the WAL into the database file and closes: the clean-shutdown path. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#serial(async () => {
      try {
        await this.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      } catch (err) {
        this.logger.warn({ err }, 'checkpoint before close failed');
      }
      this.#closed = true;
      await this.conn.close();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }
}
