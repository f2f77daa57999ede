/**
 * The access half of the fleet store (issue 10 §5): dashboard users with a role, their sessions,
 * the login throttle and the audit log. Kept in the repository (SQLite or PostgreSQL) so several
 * fleet instances behind one address share sessions and lockouts.
 */

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  username: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (fleet/http/passwords.ts); never leaves the server. */
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

/** A login session. The token itself is never stored: only its SHA-256 (`id`). */
export interface SessionRecord {
  id: string;
  username: string;
  /** Synchronizer token the page echoes in `x-csrf-token` on every state-changing request. */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end, whatever the activity. */
  expiresAt: number;
  address: string;
}

/** Failed logins of one user name (known or not), for the lockout. */
export interface LoginThrottle {
  username: string;
  failures: number;
  lockedUntil: number;
  lastFailureAt: number;
}

export interface AuditEntry {
  at: number;
  /** Who acted; the name tried for a failed login; `cli` for a command at the console. */
  username: string;
  action: string;
  /** What it acted on: `kiosk:<id>`, `district:<name>`, `fleet`, `user:<name>`… */
  target: string;
  detail: Record<string, unknown>;
  address: string;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

export interface AccessRepository {
  /** Adds a user; `false` when the name is taken. */
  addUser(u: UserRecord): Promise<boolean>;
  getUser(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** Replaces a user's password and ends all its sessions; `false` when there is no such user. */
  setPassword(username: string, passwordHash: string, at: number): Promise<boolean>;
  /** Removes a user and its sessions; `false` when there is no such user. */
  removeUser(username: string): Promise<boolean>;

  createSession(s: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  touchSession(id: string, at: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  /** Drops sessions past their absolute end or idle since before `idleBefore`; returns how many. */
  purgeSessions(now: number, idleBefore: number): Promise<number>;

  getLoginThrottle(username: string): Promise<LoginThrottle | undefined>;
  /**
   * Counts one failed login atomically; `lockFor(failures)` says for how long (ms) the name is then
   * locked (0: not locked). Returns the throttle as stored.
   */
  noteLoginFailure(username: string, at: number, lockFor: (failures: number) => number): Promise<LoginThrottle>;
  clearLoginFailures(username: string): Promise<void>;

  addAudit(e: AuditEntry): Promise<void>;
  /** Newest first; `beforeId` pages back. */
  listAudit(limit?: number, beforeId?: number): Promise<StoredAuditEntry[]>;
}
