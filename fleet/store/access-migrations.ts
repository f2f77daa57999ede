/**
 * The access tables (issue 10 §5): users, sessions (keyed by the SHA-256 of the token), the login
 * throttle and the audit log. One statement list per engine; each is a numbered migration in
 * migrations.ts (SQLite) and pg-migrations.ts (PostgreSQL).
 */

export const ACCESS_SQLITE = `
  CREATE TABLE users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    address TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (username);
  CREATE TABLE login_throttle (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
  );
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    address TEXT NOT NULL
  );
`;

export const ACCESS_PG = `
  CREATE TABLE users (
    username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, address TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (username);
  CREATE TABLE login_throttle (
    username TEXT PRIMARY KEY, failures BIGINT NOT NULL, locked_until BIGINT NOT NULL, last_failure_at BIGINT NOT NULL
  );
  CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, detail_json TEXT NOT NULL, address TEXT NOT NULL
  );
`;
