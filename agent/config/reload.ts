/**
 * `systemctl reload kiosk-agent` (SIGHUP): the logins — `auth`: users, PIN hashes, roles,
 * fingerprint slots, lockout policy — are taken from the file again without a restart, so a PIN
 * changed or a finger enrolled with `kioskctl` works at once and the device links stay up. A login
 * whose user is gone, or whose role or PIN changed, ends (as a password change does). Every other
 * section is read once at start (ports, broker, store, devices), so a change there is logged as
 * waiting for a restart, not half applied.
 *
 * A file that does not load is refused as a whole: the running configuration stays, the problem
 * is logged and reported to central as `config.rejected`.
 */
import type { Store } from '../store/db.js';
import type { AgentConfig } from './schema.js';
import type { ConfigError } from './load.js';

export interface ReloadResult {
  /** Whether `auth` changed and was applied. */
  auth: boolean;
  /** Logins ended because their user was removed, or its role or PIN changed. */
  endedSessions: number;
  /** Top-level sections that differ and wait for a restart. */
  restartNeeded: string[];
}

export type ReloadOutcome = ({ ok: true } & ReloadResult) | { ok: false; problems: string[] };

/** Top-level sections whose effective value differs. */
export function changedSections(current: AgentConfig, next: AgentConfig): string[] {
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]);
  const a = current as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/**
 * Applies `next.auth` to `current.auth` in place: the login services hold that object (agent's
 * ledger and fingerprint capabilities), so they see the new users at their next login. Ends the
 * stored sessions that no longer stand for a user of the new list with the same role and PIN.
 */
export async function applyReload(store: Store, current: AgentConfig, next: AgentConfig): Promise<ReloadResult> {
  const sections = changedSections(current, next);
  const restartNeeded = sections.filter((s) => s !== 'auth');
  if (!sections.includes('auth')) return { auth: false, endedSessions: 0, restartNeeded };
  const before = new Map(current.auth.users.map((u) => [u.user, u]));
  const kept = next.auth.users.filter((u) => {
    const old = before.get(u.user);
    return old !== undefined && old.role === u.role && old.pinHash === u.pinHash;
  });
  const endedSessions = await store.transaction(async (tx) => {
    const gone = await tx.all<{ user: string; role: string }>('SELECT DISTINCT user, role FROM auth_sessions');
    let n = 0;
    for (const s of gone) {
      if (kept.some((u) => u.user === s.user && u.role === s.role)) continue;
      n += (await tx.run('DELETE FROM auth_sessions WHERE user = ? AND role = ?', [s.user, s.role])).changes;
    }
    return n;
  });
  const target = current.auth as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, next.auth);
  return { auth: true, endedSessions, restartNeeded };
}

/**
 * The problems of a refused file as they are logged, reported to central and answered: a JSON
 * syntax error keeps its position but not the parser's quote of the text, which may hold a
 * secret; the other problems already mask secret values (config/load.ts).
 */
export function safeProblems(err: ConfigError): string[] {
  return err.problems.map((p) => {
    if (!p.startsWith('not valid JSON')) return p;
    const at = /position \d+(?: \(line \d+ column \d+\))?/.exec(p);
    return at ? `not valid JSON at ${at[0]}` : 'not valid JSON';
  });
}
