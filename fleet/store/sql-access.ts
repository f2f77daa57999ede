/**
 * AccessRepository in SQL that SQLite and PostgreSQL both run (`?` parameters; the PostgreSQL
 * adapter numbers them). Each repository holds one as `access` over its own connection.
 */
import type { AccessRepository, AuditEntry, LoginThrottle, Role, SessionRecord, StoredAuditEntry, UserRecord } from './access.js';
import type { SqlDb } from './sql-operations.js';
import type { Row } from './sqlite.js';

const rowToUser = (r: Row): UserRecord => ({
  username: String(r.username),
  role: String(r.role) as Role,
  passwordHash: String(r.password_hash),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const rowToSession = (r: Row): SessionRecord => ({
  id: String(r.id),
  username: String(r.username),
  csrf: String(r.csrf),
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  expiresAt: Number(r.expires_at),
  address: String(r.address),
});

const rowToThrottle = (r: Row): LoginThrottle => ({
  username: String(r.username),
  failures: Number(r.failures),
  lockedUntil: Number(r.locked_until),
  lastFailureAt: Number(r.last_failure_at),
});

const rowToAudit = (r: Row): StoredAuditEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  username: String(r.username),
  action: String(r.action),
  target: String(r.target),
  detail: JSON.parse(String(r.detail_json)) as Record<string, unknown>,
  address: String(r.address),
});

export class SqlAccess implements AccessRepository {
  constructor(private readonly db: SqlDb) {}

  async addUser(u: UserRecord): Promise<boolean> {
    const res = await this.db.run(
      `INSERT INTO users (username, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (username) DO NOTHING`,
      [u.username, u.role, u.passwordHash, u.createdAt, u.updatedAt],
    );
    return res.changes === 1;
  }

  async getUser(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.get('SELECT * FROM users WHERE username = ?', [username]);
    return row ? rowToUser(row) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.all('SELECT * FROM users ORDER BY username')).map(rowToUser);
  }

  setPassword(username: string, passwordHash: string, at: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const res = await tx.run('UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?', [passwordHash, at, username]);
      await tx.run('DELETE FROM sessions WHERE username = ?', [username]);
      await tx.run('DELETE FROM login_throttle WHERE username = ?', [username]);
      return res.changes === 1;
    });
  }

  removeUser(username: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM sessions WHERE username = ?', [username]);
      return (await tx.run('DELETE FROM users WHERE username = ?', [username])).changes === 1;
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO sessions (id, username, csrf, created_at, last_seen_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [s.id, s.username, s.csrf, s.createdAt, s.lastSeenAt, s.expiresAt, s.address],
    );
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db.get('SELECT * FROM sessions WHERE id = ?', [id]);
    return row ? rowToSession(row) : undefined;
  }

  async touchSession(id: string, at: number): Promise<void> {
    await this.db.run('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?', [at, id, at]);
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE id = ?', [id]);
  }

  async purgeSessions(now: number, idleBefore: number): Promise<number> {
    return (await this.db.run('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?', [now, idleBefore])).changes;
  }

  async getLoginThrottle(username: string): Promise<LoginThrottle | undefined> {
    const row = await this.db.get('SELECT * FROM login_throttle WHERE username = ?', [username]);
    return row ? rowToThrottle(row) : undefined;
  }

  noteLoginFailure(username: string, at: number, lockFor: (failures: number) => number): Promise<LoginThrottle> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get('SELECT * FROM login_throttle WHERE username = ?', [username]);
      const failures = (row ? Number(row.failures) : 0) + 1;
      const lock = lockFor(failures);
      const next: LoginThrottle = { username, failures, lockedUntil: lock > 0 ? at + lock : 0, lastFailureAt: at };
      await tx.run(
        `INSERT INTO login_throttle (username, failures, locked_until, last_failure_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
           last_failure_at = excluded.last_failure_at`,
        [username, next.failures, next.lockedUntil, next.lastFailureAt],
      );
      return next;
    });
  }

  async clearLoginFailures(username: string): Promise<void> {
    await this.db.run('DELETE FROM login_throttle WHERE username = ?', [username]);
  }

  async addAudit(e: AuditEntry): Promise<void> {
    await this.db.run('INSERT INTO audit_log (at, username, action, target, detail_json, address) VALUES (?, ?, ?, ?, ?, ?)', [
      e.at,
      e.username,
      e.action,
      e.target,
      JSON.stringify(e.detail),
      e.address,
    ]);
  }

  async listAudit(limit = 100, beforeId?: number): Promise<StoredAuditEntry[]> {
    const rows =
      beforeId === undefined
        ? await this.db.all('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?', [limit])
        : await this.db.all('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?', [beforeId, limit]);
    return rows.map(rowToAudit);
  }
}
