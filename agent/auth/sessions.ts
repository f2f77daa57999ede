/**
 * PIN logins (DESIGN §2: personal operator and admin logins; issue 8 §2): a PIN checked against
 * its scrypt hash returns a short-lived bearer token; repeated wrong PINs lock the login.
 *
 * Tokens and lockouts live in SQLite, timed on the monotonic clock of the boot they were made in,
 * so a wall clock that jumps (no RTC, reference/fleet-telemetry.md §8) neither extends nor cuts
 * them. Only a hash of a token is stored. A reboot ends every session; a lockout survives it and
 * runs again in full from the new boot, so pulling the plug does not unlock a login early.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Caller } from '../api/router.js';
import type { Clock } from '../clock.js';
import type { Added } from '../outbox/outbox.js';
import type { Outbox } from '../outbox/outbox.js';
import { recordEvent } from '../outbox/events.js';
import type { Store } from '../store/db.js';
import { DUMMY_HASH, verifyPin } from './pin.js';

export interface AuthUserEntry {
  user: string;
  role: 'operator' | 'admin';
  pinHash: string;
  name?: string;
}

export interface AuthSettings {
  users: AuthUserEntry[];
  maxFailures: number;
  lockoutSec: number;
  tokenTtlSec: number;
}

export type LoginResult =
  | { ok: true; token: string; user: string; role: 'operator' | 'admin'; expiresInSec: number }
  | { ok: false; reason: 'wrong-pin'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; retryAfterSec: number };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

interface Lock {
  failures: number;
  locked_boot: string | null;
  locked_until_mono: number | null;
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly settings: AuthSettings,
    private readonly outbox?: Outbox,
  ) {}

  /** Seconds a login stays locked from now, or 0. */
  #remainingLock(lock: Lock | undefined, boot: string, mono: number): number {
    if (!lock || lock.locked_until_mono === null) return 0;
    // Another boot: the monotonic deadline means nothing there, so the lock runs again from boot.
    const until = lock.locked_boot === boot ? lock.locked_until_mono : this.settings.lockoutSec * 1000;
    return Math.max(0, Math.ceil((until - mono) / 1000));
  }

  async login(user: string, pin: string): Promise<LoginResult> {
    const entry = this.settings.users.find((u) => u.user === user);
    const { boot, mono } = this.clock.now();
    const lock = await this.store.get<Lock>('SELECT failures, locked_boot, locked_until_mono FROM auth_lockout WHERE user = ?', [user]);
    const remaining = this.#remainingLock(lock, boot, mono);
    if (remaining > 0) return { ok: false, reason: 'locked', retryAfterSec: remaining };
    // An unknown user costs the same scrypt as a known one and is counted the same way.
    const ok = await verifyPin(pin, entry?.pinHash ?? DUMMY_HASH);
    if (ok && entry) {
      const token = randomBytes(32).toString('base64url');
      const ttl = this.settings.tokenTtlSec;
      const now = this.clock.now();
      await this.store.transaction(async (tx) => {
        await tx.run('DELETE FROM auth_lockout WHERE user = ?', [user]);
        // Expired tokens go at each login, so the table stays small.
        await tx.run('DELETE FROM auth_sessions WHERE boot != ? OR expires_mono <= ?', [now.boot, now.mono]);
        await tx.run('INSERT INTO auth_sessions (token_hash, user, role, boot, expires_mono) VALUES (?, ?, ?, ?, ?)', [
          hashToken(token), entry.user, entry.role, now.boot, now.mono + ttl * 1000,
        ]);
      });
      return { ok: true, token, user: entry.user, role: entry.role, expiresInSec: ttl };
    }
    const after = this.clock.now();
    const { failures, added } = await this.store.transaction(async (tx) => {
      const row = await tx.get<Lock>('SELECT failures, locked_boot, locked_until_mono FROM auth_lockout WHERE user = ?', [user]);
      // A lock that has run out starts a fresh count.
      const base = row && this.#remainingLock(row, after.boot, after.mono) === 0 && row.locked_until_mono !== null ? 0 : (row?.failures ?? 0);
      const failures = base + 1;
      const lockNow = failures >= this.settings.maxFailures;
      await tx.run(
        'INSERT INTO auth_lockout (user, failures, locked_boot, locked_until_mono) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (user) DO UPDATE SET failures = excluded.failures, locked_boot = excluded.locked_boot, locked_until_mono = excluded.locked_until_mono',
        [user, failures, lockNow ? after.boot : null, lockNow ? after.mono + this.settings.lockoutSec * 1000 : null],
      );
      const added: Added[] = [];
      if (lockNow && this.outbox) {
        added.push(await recordEvent(tx, this.outbox, 'login.locked', 'warning', { user: user.slice(0, 64), failures, lockoutSec: this.settings.lockoutSec }));
      }
      return { failures, added };
    });
    if (added.length) this.outbox?.committed(...added);
    if (failures >= this.settings.maxFailures) return { ok: false, reason: 'locked', retryAfterSec: this.settings.lockoutSec };
    return { ok: false, reason: 'wrong-pin', attemptsLeft: this.settings.maxFailures - failures };
  }

  async logout(token: string): Promise<void> {
    await this.store.run('DELETE FROM auth_sessions WHERE token_hash = ?', [hashToken(token)]);
  }

  /** The caller a bearer token stands for, or undefined (missing, unknown, expired, other boot). */
  async resolve(token: string): Promise<Caller | undefined> {
    const { boot, mono } = this.clock.now();
    const row = await this.store.get<{ user: string; role: 'operator' | 'admin'; boot: string; expires_mono: number }>(
      'SELECT user, role, boot, expires_mono FROM auth_sessions WHERE token_hash = ?',
      [hashToken(token)],
    );
    if (!row || row.boot !== boot || row.expires_mono <= mono) return undefined;
    return { user: row.user, role: row.role };
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(h.trim()) : null;
  return m?.[1];
}

/** The ApiServer's `authenticate` hook: resolves `Authorization: Bearer <token>`. */
export function bearerAuthenticator(store: Store, clock: Pick<Clock, 'now'>): (req: IncomingMessage) => Promise<Caller | undefined> {
  const sessions = new Sessions(store, clock, { users: [], maxFailures: 1, lockoutSec: 1, tokenTtlSec: 30 });
  return async (req) => {
    const token = bearerToken(req);
    return token ? sessions.resolve(token) : undefined;
  };
}
