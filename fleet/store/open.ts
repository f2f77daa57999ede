/** Opens the fleet store named by `--db`: a postgres:// URL for PostgreSQL, anything else a SQLite file. */
import { PgFleetRepository } from './pg-repository.js';
import type { FleetRepository } from './repository.js';
import { SqliteFleetRepository } from './sqlite-repository.js';

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

export function openRepository(db: string): Promise<FleetRepository> {
  return isPostgresUrl(db) ? PgFleetRepository.open(db) : SqliteFleetRepository.open(db);
}
