/**
 * A small adapter over a `pg` pool with the same shape as the SQLite wrapper: `?` parameters
 * (numbered here), and transactions run SERIALIZABLE (or READ COMMITTED under a row lock, for
 * ingest's one-row updates) and are retried on a serialization failure, so several fleet
 * instances can read-modify-write one kiosk without lost updates (DESIGN §7).
 */
import pg from 'pg';
import type { Row, Sql, SqlValue } from './sqlite.js';
import type { SqlDb } from './sql-operations.js';

/** `?` → `$1, $2, …` (the fleet's SQL has no `?` inside string literals). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function over(q: (text: string, params?: SqlValue[]) => Promise<pg.QueryResult>): Sql {
  return {
    async run(sql, params) {
      const r = await q(numbered(sql), params);
      return { changes: r.rowCount ?? 0, lastID: 0 };
    },
    async get<T extends Row = Row>(sql: string, params?: SqlValue[]) {
      return (await q(numbered(sql), params)).rows[0] as T | undefined;
    },
    async all<T extends Row = Row>(sql: string, params?: SqlValue[]) {
      return (await q(numbered(sql), params)).rows as T[];
    },
    async exec(sql) {
      await q(sql);
    },
  };
}

const RETRY_CODES = new Set(['40001', '40P01']); // serialization failure, deadlock
const UNIQUE_VIOLATION = '23505';
/** One row read-modify-written under its row lock (`SELECT … FOR UPDATE`): no false conflicts between rows. */
export const ROW_LOCKED = 'ISOLATION LEVEL READ COMMITTED';

export class PgDb implements SqlDb {
  private readonly direct: Sql;

  constructor(readonly pool: pg.Pool) {
    this.direct = over((text, params) => pool.query(text, params));
  }

  static open(connectionString: string, max = 10): PgDb {
    const pool = new pg.Pool({ connectionString, max });
    // An idle client losing its connection must not crash the fleet; the next query reconnects.
    pool.on('error', () => undefined);
    return new PgDb(pool);
  }

  run(sql: string, params?: SqlValue[]): Promise<{ changes: number; lastID: number }> {
    return this.direct.run(sql, params);
  }
  get<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }
  all<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>, mode = 'ISOLATION LEVEL SERIALIZABLE'): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(`BEGIN ${mode}`);
        const result = await fn(over((text, params) => client.query(text, params)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: string }).code;
        // Under READ COMMITTED a row lock cannot cover a row that does not exist yet: two
        // instances creating the same row meet at its unique key, and the loser runs again and
        // finds the row.
        const retry = code !== undefined && (RETRY_CODES.has(code) || (code === UNIQUE_VIOLATION && mode.includes('READ COMMITTED')));
        if (!retry || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      } finally {
        client.release();
      }
    }
  }

  /** Several reads from one snapshot. */
  snapshot<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction(fn, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
