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
  /** Failed logins from one client address, whatever the names, before the address is locked (default 20). */
  addressLockAfter?: number;
  /** First lock of an address; each further failure from it doubles it, up to lockMaxMs (default 60 s). */
  addressLockBaseMs?: number;
}

/**
 * The store key under which an address's failures are counted, beside the names' (one throttle
 * table, so every fleet instance sees them). The space keeps it apart from every user name
 * (USERNAME has none); a name typed with this prefix is not counted per name (it cannot be a
 * user), so nobody can lock an address by choosing a name.
 */
export const ADDRESS_KEY = 'addr ';

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
  private readonly addressLockAfter: number;
  private readonly addressLockBaseMs: number;

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
    this.addressLockAfter = o.addressLockAfter ?? 20;
    this.addressLockBaseMs = o.addressLockBaseMs ?? 60_000;
  }

  /** How long an address is locked after its `failures`-th failure (any names) in the window. */
  addressLockFor(failures: number): number {
    if (failures < this.addressLockAfter) return 0;
    return Math.min(this.lockMaxMs, this.addressLockBaseMs * 2 ** Math.min(20, failures - this.addressLockAfter));
  }

  /** The lock left on a throttle key, in ms (0 when none); failures past the window are forgotten first. */
  private async lockLeft(key: string, now: number): Promise<number> {
    const throttle = await this.repo.getLoginThrottle(key);
    if (!throttle) return 0;
    if (throttle.lastFailureAt < now - this.failureWindowMs) {
      await this.repo.clearLoginFailures(key);
      return 0;
    }
    return Math.max(0, throttle.lockedUntil - now);
  }

  /** How long a name is locked after its `failures`-th consecutive failure. */
  lockFor(failures: number): number {
    if (failures < this.lockAfter) return 0;
    return Math.min(this.lockMaxMs, this.lockBaseMs * 2 ** Math.min(20, failures - this.lockAfter));
  }

  /**
   * Checks a password. Two throttles, both in the store: per name (one name tried from many
   * addresses) and per client address (one address trying many names, OWASP Authentication cheat
   * sheet, "Login Throttling"). A success clears the name's count, not the address's: one valid
   * account must not buy an address more guesses at the others.
   */
  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const now = this.clock.now();
    const name = username.slice(0, 64);
    const perName = !name.startsWith(ADDRESS_KEY);
    const addrKey = address ? `${ADDRESS_KEY}${address.slice(0, 100)}` : undefined;
    const addrLock = addrKey ? await this.lockLeft(addrKey, now) : 0;
    if (addrLock > 0) {
      const retryAfterSec = Math.ceil(addrLock / 1000);
      await this.audit({ username: name, action: 'login.throttled', target: `address:${address}`, detail: { retryAfterSec }, address });
      return { ok: false, reason: 'locked', retryAfterSec };
    }
    const nameLock = perName ? await this.lockLeft(name, now) : 0;
    if (nameLock > 0) {
      const retryAfterSec = Math.ceil(nameLock / 1000);
      await this.audit({ username: name, action: 'login.locked', target: `user:${name}`, detail: { retryAfterSec }, address });
      return { ok: false, reason: 'locked', retryAfterSec };
    }
    const user = USERNAME.test(name) ? await this.repo.getUser(name) : undefined;
    const ok = user ? await verifyPassword(password, user.passwordHash) : await burnVerify(password);
    if (!ok || !user) {
      const at = this.clock.now();
      const t = perName ? await this.repo.noteLoginFailure(name, at, (n) => this.lockFor(n)) : { failures: 0, lockedUntil: 0 };
      const a = addrKey ? await this.repo.noteLoginFailure(addrKey, at, (n) => this.addressLockFor(n)) : { failures: 0, lockedUntil: 0 };
      const detail = {
        failures: t.failures,
        addressFailures: a.failures,
        ...(t.lockedUntil ? { lockedUntil: t.lockedUntil } : {}),
        ...(a.lockedUntil ? { addressLockedUntil: a.lockedUntil } : {}),
      };
      await this.audit({ username: name, action: 'login.failed', target: `user:${name}`, detail, address });
      this.log.warn({ user: name, address, failures: t.failures, addressFailures: a.failures, locked: t.lockedUntil > 0, addressLocked: a.lockedUntil > 0 }, 'dashboard login failed');
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
