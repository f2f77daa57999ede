/**
 * The PostgreSQL implementation of FleetRepository, for several fleet instances sharing one
 * database behind a shared subscription (DESIGN §7). The same rows as SQLite; each kiosk update
 * reads its row under the row lock (READ COMMITTED, `SELECT … FOR UPDATE`) and is retried when
 * another instance created the row meanwhile, so `fn` may run more than once.
 */
import { PgDb, ROW_LOCKED } from './pg.js';
import { migratePg } from './pg-migrations.js';
import type { FleetRepository } from './repository.js';
import { type SqlDialect, SqlOperations } from './sql-operations.js';
import type { AccessRepository } from './access.js';
import { SqlAccess } from './sql-access.js';

/** Row locks under READ COMMITTED; PostgreSQL cannot infer a parameter's type in arithmetic. */
const pgDialect = (db: PgDb): SqlDialect => ({
  rowTransaction: (fn) => db.transaction(fn, ROW_LOCKED),
  forUpdate: ' FOR UPDATE',
  greatest: 'GREATEST',
  int: '?::bigint',
});

export class PgFleetRepository extends SqlOperations implements FleetRepository {
  readonly access: AccessRepository;

  private constructor(readonly db: PgDb) {
    super(db, pgDialect(db));
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

  close(): Promise<void> {
    return this.db.close();
  }
}
