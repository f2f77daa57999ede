/**
 * Dashboard access (issue 10 §5): password login with a lockout that backs off, sessions with an
 * idle and an absolute end, and the audit log. Sessions follow the OWASP Session Management cheat
 * sheet: a 256-bit random token in the cookie, only its SHA-256 in the store (a copy of the
 * database opens no session), a fresh token on every login, and a synchronizer CSRF token kept with
 * the session.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { AccessRepository, AuditEntry, Role, SessionRecord, StoredAuditEntry, UserRecord } from '../store/access.js';
import { burnVerify, verifyPassword } from './passwords.js';

export interface AccessOptions {
  /** A session unused this long ends (default 30 min). */
  idleMs?: number;
  /** A session ends this long after login whatever its use (default 12 h). */
  absoluteMs?: number;
  /** Failed logins of one name before it is locked (default 5). */
  lockAfter?: number;
  /** First lock; each further failure doubles it (default 30 s). */
  lockBaseMs?: number;
  /** The longest lock (default 15 min). */
  lockMaxMs?: number;
  /** Failures older than this are forgotten (default 1 h). */
  failureWindowMs?: number;
}

export type LoginResult =
  | { ok: true; token: string; session: SessionRecord; user: UserRecord }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSec: number };

export interface Authenticated {
  session: SessionRecord;
  user: UserRecord;
}

/** What each role may do beyond reading the fleet. */
export const CAN = {
  sendJobs: (r: Role): boolean => r === 'operator' || r === 'admin',
  readAudit: (r: Role): boolean => r === 'operator' || r === 'admin',
  manageUsers: (r: Role): boolean => r === 'admin',
};

export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;

export const sessionId = (token: string): string => createHash('sha256').update(token).digest('hex');
const randomToken = (): string => randomBytes(32).toString('base64url');

/** Constant-time comparison of two strings of possibly different length. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

export class AccessService {
  readonly idleMs: number;
  readonly absoluteMs: number;
  private readonly lockAfter: number;
  private readonly lockBaseMs: number;
  private readonly lockMaxMs: number;
  private readonly failureWindowMs: number;

  constructor(
    private readonly repo: AccessRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    o: AccessOptions = {},
  ) {
    this.idleMs = o.idleMs ?? 30 * 60_000;
    this.absoluteMs = o.absoluteMs ?? 12 * 3_600_000;
    this.lockAfter = o.lockAfter ?? 5;
    this.lockBaseMs = o.lockBaseMs ?? 30_000;
    this.lockMaxMs = o.lockMaxMs ?? 15 * 60_000;
    this.failureWindowMs = o.failureWindowMs ?? 3_600_000;
  }

  /** How long a name is locked after its `failures`-th consecutive failure. */
  lockFor(failures: number): number {
    if (failures < this.lockAfter) return 0;
    return Math.min(this.lockMaxMs, this.lockBaseMs * 2 ** Math.min(20, failures - this.lockAfter));
  }

  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const now = this.clock.now();
    const name = username.slice(0, 64);
    const throttle = await this.repo.getLoginThrottle(name);
    if (throttle && throttle.lastFailureAt < now - this.failureWindowMs) await this.repo.clearLoginFailures(name);
    else if (throttle && throttle.lockedUntil > now) {
      const retryAfterSec = Math.ceil((throttle.lockedUntil - now) / 1000);
      await this.audit({ username: name, action: 'login.locked', target: `user:${name}`, detail: { retryAfterSec }, address });
      return { ok: false, reason: 'locked', retryAfterSec };
    }
    const user = USERNAME.test(name) ? await this.repo.getUser(name) : undefined;
    const ok = user ? await verifyPassword(password, user.passwordHash) : await burnVerify(password);
    if (!ok || !user) {
      const t = await this.repo.noteLoginFailure(name, this.clock.now(), (n) => this.lockFor(n));
      await this.audit({ username: name, action: 'login.failed', target: `user:${name}`, detail: { failures: t.failures, ...(t.lockedUntil ? { lockedUntil: t.lockedUntil } : {}) }, address });
      this.log.warn({ user: name, address, failures: t.failures, locked: t.lockedUntil > 0 }, 'dashboard login failed');
      return { ok: false, reason: 'invalid' };
    }
    await this.repo.clearLoginFailures(name);
    const token = randomToken();
    const at = this.clock.now();
    const session: SessionRecord = { id: sessionId(token), username: user.username, csrf: randomToken(), createdAt: at, lastSeenAt: at, expiresAt: at + this.absoluteMs, address };
    await this.repo.createSession(session);
    await this.audit({ username: user.username, action: 'login', target: `user:${user.username}`, detail: { role: user.role }, address });
    this.log.info({ user: user.username, role: user.role, address }, 'dashboard login');
    return { ok: true, token, session, user };
  }

  /**
   * The session and user behind a cookie token, or undefined when there is none, it ended (idle or
   * absolute), or its user is gone. A live session's last use is noted at most once a minute.
   */
  async authenticate(token: string | undefined, touch = true): Promise<Authenticated | undefined> {
    if (!token || token.length > 100) return undefined;
    const id = sessionId(token);
    const session = await this.repo.getSession(id);
    if (!session) return undefined;
    const now = this.clock.now();
    if (now >= session.expiresAt || now - session.lastSeenAt >= this.idleMs) {
      await this.repo.deleteSession(id);
      return undefined;
    }
    const user = await this.repo.getUser(session.username);
    if (!user) {
      await this.repo.deleteSession(id);
      return undefined;
    }
    if (touch && now - session.lastSeenAt >= 60_000) {
      await this.repo.touchSession(id, now);
      session.lastSeenAt = now;
    }
    return { session, user };
  }

  async logout(a: Authenticated, address: string): Promise<void> {
    await this.repo.deleteSession(a.session.id);
    await this.audit({ username: a.user.username, action: 'logout', target: `user:${a.user.username}`, detail: {}, address });
  }

  /** Drops ended sessions (run now and then; authenticate refuses them anyway). */
  purge(): Promise<number> {
    const now = this.clock.now();
    return this.repo.purgeSessions(now, now - this.idleMs);
  }

  auditLog(limit: number, beforeId?: number): Promise<StoredAuditEntry[]> {
    return this.repo.listAudit(limit, beforeId);
  }

  users(): Promise<UserRecord[]> {
    return this.repo.listUsers();
  }

  /** Writes an audit entry; a failure to write is logged, never thrown at the request. */
  async audit(e: Omit<AuditEntry, 'at'>): Promise<void> {
    try {
      await this.repo.addAudit({ ...e, at: this.clock.now() });
    } catch (err) {
      this.log.error({ err, action: e.action }, 'cannot write the audit log');
    }
  }
}
