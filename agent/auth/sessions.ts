/**
 * PIN logins (DESIGN §2: personal operator and admin logins; issue 8 §2): a PIN checked against
 * its scrypt hash returns a short-lived bearer token; repeated wrong PINs lock the login.
 *
 * Tokens and lockouts live in SQLite, timed on the monotonic clock of the boot they were made in,
 * so a wall clock that jumps (no RTC, reference/fleet-telemetry.md §8) neither extends nor cuts
 * them. Only a hash of a token is stored. A reboot ends every session; a lockout survives it and
 * runs again in full from the new boot, so pulling the plug does not unlock a login early.
 *
 * A login ends after `tokenTtlSec` without an authenticated request (a request to a route that
 * needs a login; the public status the console polls does not count), and in any case
 * `sessionMaxSec` after the PIN or finger that opened it (issue 11: an operator at work is not
 * sent back to the login every 15 minutes, and a token does not live for ever).
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
  name?: string | undefined;
  /** R30x library slots whose fingers log this user in (issue 11). */
  fingerprintSlots?: number[] | undefined;
}

export interface AuthSettings {
  users: AuthUserEntry[];
  maxFailures: number;
  lockoutSec: number;
  /** Idle timeout, s: each authenticated request moves the end of the login this far out. */
  tokenTtlSec: number;
  /** The absolute end of a login, s after it was opened (default 12 h). */
  sessionMaxSec?: number | undefined;
}

export const DEFAULT_SESSION_MAX_SEC = 43_200;

export type LoginResult =
  | { ok: true; token: string; user: string; role: 'operator' | 'admin'; expiresInSec: number; maxSec: number }
  | { ok: false; reason: 'wrong-pin'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; retryAfterSec: number };

export type FingerprintLoginResult =
  | { ok: true; token: string; user: string; role: 'operator' | 'admin'; expiresInSec: number; maxSec: number; slot: number }
  | { ok: false; reason: 'no-match'; attemptsLeft: number; slot?: number }
  | { ok: false; reason: 'locked'; retryAfterSec: number; slot?: number };

/**
 * The lockout row of fingerprint logins, one per kiosk. User names are lower-case letters,
 * digits and . _ - (agent/ledger/config.ts AuthUser), so no user can be called this.
 */
export const FINGERPRINT_LOCK_KEY = '*fingerprint';

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

  /** Seconds the lock on `key` (a user, or FINGERPRINT_LOCK_KEY) has left now, or 0. */
  async #lockedFor(key: string): Promise<number> {
    const { boot, mono } = this.clock.now();
    const lock = await this.store.get<Lock>('SELECT failures, locked_boot, locked_until_mono FROM auth_lockout WHERE user = ?', [key]);
    return this.#remainingLock(lock, boot, mono);
  }

  /** A new token for `entry`; clears the failure count of each of `clear`. */
  async #issue(entry: AuthUserEntry, clear: string[]): Promise<{ ok: true; token: string; user: string; role: 'operator' | 'admin'; expiresInSec: number; maxSec: number }> {
    const token = randomBytes(32).toString('base64url');
    const maxSec = this.settings.sessionMaxSec ?? DEFAULT_SESSION_MAX_SEC;
    const ttl = Math.min(this.settings.tokenTtlSec, maxSec);
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      for (const key of clear) await tx.run('DELETE FROM auth_lockout WHERE user = ?', [key]);
      // Expired tokens go at each login, so the table stays small.
      await tx.run('DELETE FROM auth_sessions WHERE boot != ? OR expires_mono <= ?', [now.boot, now.mono]);
      await tx.run('INSERT INTO auth_sessions (token_hash, user, role, boot, expires_mono, idle_sec, max_mono) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        hashToken(token), entry.user, entry.role, now.boot, now.mono + ttl * 1000, ttl, now.mono + maxSec * 1000,
      ]);
    });
    return { ok: true, token, user: entry.user, role: entry.role, expiresInSec: ttl, maxSec };
  }

  /** Counts one failure against `key`; locks it (and records login.locked) at maxFailures. */
  async #fail(key: string): Promise<{ ok: false; reason: 'locked'; retryAfterSec: number } | { failures: number; attemptsLeft: number }> {
    const after = this.clock.now();
    const { failures, added } = await this.store.transaction(async (tx) => {
      const row = await tx.get<Lock>('SELECT failures, locked_boot, locked_until_mono FROM auth_lockout WHERE user = ?', [key]);
      // A lock that has run out starts a fresh count.
      const base = row && this.#remainingLock(row, after.boot, after.mono) === 0 && row.locked_until_mono !== null ? 0 : (row?.failures ?? 0);
      const failures = base + 1;
      const lockNow = failures >= this.settings.maxFailures;
      await tx.run(
        'INSERT INTO auth_lockout (user, failures, locked_boot, locked_until_mono) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (user) DO UPDATE SET failures = excluded.failures, locked_boot = excluded.locked_boot, locked_until_mono = excluded.locked_until_mono',
        [key, failures, lockNow ? after.boot : null, lockNow ? after.mono + this.settings.lockoutSec * 1000 : null],
      );
      const added: Added[] = [];
      if (lockNow && this.outbox) {
        added.push(await recordEvent(tx, this.outbox, 'login.locked', 'warning', { user: key.slice(0, 64), failures, lockoutSec: this.settings.lockoutSec }));
      }
      return { failures, added };
    });
    if (added.length) this.outbox?.committed(...added);
    if (failures >= this.settings.maxFailures) return { ok: false, reason: 'locked', retryAfterSec: this.settings.lockoutSec };
    return { failures, attemptsLeft: this.settings.maxFailures - failures };
  }

  async login(user: string, pin: string): Promise<LoginResult> {
    const entry = this.settings.users.find((u) => u.user === user);
    const remaining = await this.#lockedFor(user);
    if (remaining > 0) return { ok: false, reason: 'locked', retryAfterSec: remaining };
    // An unknown user costs the same scrypt as a known one and is counted the same way.
    const ok = await verifyPin(pin, entry?.pinHash ?? DUMMY_HASH);
    if (ok && entry) return this.#issue(entry, [user]);
    const r = await this.#fail(user);
    return 'reason' in r ? r : { ok: false, reason: 'wrong-pin', attemptsLeft: r.attemptsLeft };
  }

  /**
   * Fingerprint login (issue 11): `identify` captures one finger on the R30x module and searches
   * its library (1:N); the matching slot stands for the user whose `fingerprintSlots` hold it.
   *
   * There is no user name before a match, so failures are counted per kiosk under
   * FINGERPRINT_LOCK_KEY with the PIN policy (maxFailures, lockoutSec): a finger that matches no
   * slot, or a slot tied to nobody, is one failure. While that lock runs no capture is even
   * attempted. A match for a user whose login is locked (wrong PINs) is refused too: the lock is
   * on the login, whatever the method. Errors of `identify` (no finger in time, reader gone)
   * are not failures and propagate to the caller.
   */
  async loginWithFingerprint(identify: () => Promise<number | undefined>): Promise<FingerprintLoginResult> {
    const kioskWide = await this.#lockedFor(FINGERPRINT_LOCK_KEY);
    if (kioskWide > 0) return { ok: false, reason: 'locked', retryAfterSec: kioskWide };
    const slot = await identify();
    const entry = slot === undefined ? undefined : this.settings.users.find((u) => u.fingerprintSlots?.includes(slot));
    if (entry) {
      const userLock = await this.#lockedFor(entry.user);
      if (userLock > 0) return { ok: false, reason: 'locked', retryAfterSec: userLock, slot: slot! };
      return { ...(await this.#issue(entry, [FINGERPRINT_LOCK_KEY])), slot: slot! };
    }
    const r = await this.#fail(FINGERPRINT_LOCK_KEY);
    const at = slot === undefined ? {} : { slot };
    return 'reason' in r ? { ...r, ...at } : { ok: false, reason: 'no-match', attemptsLeft: r.attemptsLeft, ...at };
  }

  async logout(token: string): Promise<void> {
    await this.store.run('DELETE FROM auth_sessions WHERE token_hash = ?', [hashToken(token)]);
  }

  /**
   * The caller a bearer token stands for, or undefined (missing, unknown, expired, other boot).
   * With `renew` (a request to a route that needs a login) the idle deadline moves to
   * `tokenTtlSec` from now, never past the login's absolute end.
   */
  async resolve(token: string, opts: { renew?: boolean } = {}): Promise<Caller | undefined> {
    const l = await this.lookup(token, opts);
    return l && { ...l.caller, session: { expiresInSec: l.expiresInSec, endsInSec: l.endsInSec } };
  }

  /** As resolve, with the seconds the login has left: idle (`expiresInSec`) and absolute (`endsInSec`). */
  async lookup(token: string, opts: { renew?: boolean } = {}): Promise<{ caller: Pick<Caller, 'user' | 'role'>; expiresInSec: number; endsInSec: number } | undefined> {
    const { boot, mono } = this.clock.now();
    const hash = hashToken(token);
    const row = await this.store.get<{ user: string; role: 'operator' | 'admin'; boot: string; expires_mono: number; idle_sec: number; max_mono: number }>(
      'SELECT user, role, boot, expires_mono, idle_sec, max_mono FROM auth_sessions WHERE token_hash = ?',
      [hash],
    );
    if (!row || row.boot !== boot || row.expires_mono <= mono) return undefined;
    let expires = row.expires_mono;
    const renewed = Math.min(mono + row.idle_sec * 1000, row.max_mono);
    // One write per second at most, whatever the rate of requests.
    if (opts.renew && renewed - expires >= 1000) {
      await this.store.run('UPDATE auth_sessions SET expires_mono = ? WHERE token_hash = ? AND expires_mono < ?', [renewed, hash, renewed]);
      expires = renewed;
    }
    return {
      caller: { user: row.user, role: row.role },
      expiresInSec: Math.max(0, Math.floor((expires - mono) / 1000)),
      endsInSec: Math.max(0, Math.floor((row.max_mono - mono) / 1000)),
    };
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(h.trim()) : null;
  return m?.[1];
}

/**
 * The ApiServer's `authenticate` hook: resolves `Authorization: Bearer <token>`, renewing the login
 * when the route needs one. Each token carries its own idle timeout and end (set at login from
 * the auth configuration), so this hook needs no settings.
 */
export function bearerAuthenticator(store: Store, clock: Pick<Clock, 'now'>): (req: IncomingMessage, opts?: { renew?: boolean }) => Promise<Caller | undefined> {
  const sessions = new Sessions(store, clock, { users: [], maxFailures: 1, lockoutSec: 1, tokenTtlSec: 30 });
  return async (req, opts = {}) => {
    const token = bearerToken(req);
    return token ? sessions.resolve(token, opts) : undefined;
  };
}
