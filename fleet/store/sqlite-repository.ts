/** The SQLite implementation of FleetRepository: one machine, one connection (DESIGN §7). */
import { migrate, schemaVersion } from './migrations.js';
import type { FleetRepository } from './repository.js';
import { SqliteDb } from './sqlite.js';
import { type SqlDialect, SqlOperations } from './sql-operations.js';
import type { AccessRepository } from './access.js';
import { SqlAccess } from './sql-access.js';

/** One writer at a time on the connection, so a row needs no lock of its own. */
const sqliteDialect = (db: SqliteDb): SqlDialect => ({
  rowTransaction: (fn) => db.transaction(fn),
  forUpdate: '',
  greatest: 'MAX',
  int: '?',
});

export class SqliteFleetRepository extends SqlOperations implements FleetRepository {
  readonly access: AccessRepository;

  private constructor(readonly db: SqliteDb) {
    super(db, sqliteDialect(db));
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

  close(): Promise<void> {
    return this.db.close();
  }
}
