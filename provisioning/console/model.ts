/**
 * The console's state, its inputs and the effects it asks for. The state machine (update.ts) is
 * pure: a key, a clock tick or an API reply in, the next state and a list of commands out; the
 * runtime (app.ts) performs the commands against the local API and feeds the replies back. Timers
 * live outside the machine, which only sees `now` (codebase-conventions §1.1: timeouts as inputs).
 */
import type { Key } from './keys.js';
import type { Lang, Text } from './i18n.js';

export type Role = 'operator' | 'admin';

export interface Health {
  state: string;
  detail?: string;
  [k: string]: unknown;
}

/** What the home screen shows, from the periodic refresh. */
export interface Snapshot {
  kiosk?: { id: string; name?: string };
  link?: string;
  queueDepth?: number;
  /** The kiosk-wide capture queue (GET /v1/status `ekyc`): counts by state, and today's decisions. */
  ekyc?: EkycCounts;
  devices?: Record<string, Health>;
  wallet?: { balancePaise: number; minimumPaise: number; belowMinimum: boolean; warning?: Text };
  inactivity?: { days: number; breachDay: number; breachOn: string; warnDays: number[]; warning?: Text };
  printer?: { configured: boolean; paper?: string; coverOpen?: boolean; state?: string; detail?: string; queued: number; uncertain: number };
  /** When the last refresh answered, and the failure if the latest did not. */
  at?: number;
  error?: Text;
}

export interface EkycCounts {
  queued: number;
  sent: number;
  today: { accepted: number; rejected: number; duplicate: number; expired: number };
}

export interface CaptureItem {
  id: string;
  state: string;
  samagraTail: string;
  receiptPrinted: boolean;
  transactionRecorded: boolean;
  code?: string;
  reason?: string;
}

export interface Rate {
  code: string;
  officialPaise: number;
  nameEn: string;
  nameHi: string;
}

export interface TxnRow {
  txnId: string;
  receiptNo: string;
  serviceCode: string;
  chargedPaise: number;
  prints: number;
  ref?: string;
}

export interface CheckRow {
  name: string;
  verdict: 'pass' | 'fail' | 'skip';
  detail: string;
}

export type Screen =
  | { kind: 'login'; field: 'user' | 'pin'; user: string; pin: string }
  | { kind: 'home'; sel: number }
  | { kind: 'capture'; step: 'id' | 'consent' | 'state'; samagra: string; requestId: string; captureId?: string }
  | { kind: 'service'; step: 'pick' | 'amount' | 'done'; rates: Rate[]; sel: number; amount: string; key: string; receiptNo?: string }
  | { kind: 'reprint'; txns: TxnRow[]; sel: number }
  | { kind: 'report'; lines: Text[] }
  | { kind: 'topup'; amount: string; key: string; done: boolean }
  | { kind: 'selftest'; checks: CheckRow[] };

export type ScreenKind = Screen['kind'];

/** Which reply a request's answer goes to. */
export type Tag =
  | 'fp-probe' | 'fp-status' | 'login' | 'login-fp' | 'logout'
  | 'status' | 'wallet' | 'inactivity' | 'printer' | 'capture-poll'
  | 'capture-take' | 'capture-reprint' | 'rates' | 'txn-record' | 'receipt-print' | 'txns' | 'reprint'
  | 'report' | 'topup' | 'printer-test' | 'selftest';

export interface Notice {
  text: Text;
  level: 'info' | 'ok' | 'warn' | 'error';
}

export interface State {
  lang: Lang;
  /** Whether the terminal draws Devanagari (not the Linux VT). */
  hindi: boolean;
  now: number;
  session?: { user: string; role: Role };
  screen: Screen;
  snap: Snapshot;
  captures: CaptureItem[];
  /** The foreground request the operator is waiting for (spinner), if any. */
  busy?: { id: number; tag: Tag; label: Text; since: number; timeoutMs: number };
  notice?: Notice;
  /** Fingerprint login: offered once the R30x answers ready; hidden when the route is absent. */
  fingerprint: 'unknown' | 'offered' | 'hidden';
  lastInput: number;
  lastRefresh: number;
  /** The last look at the capture on its own screen (every second, apart from the refresh). */
  lastPoll: number;
  /** Background requests in flight, so a slow agent does not pile up refreshes. */
  pending: number;
  nextId: number;
  /** Seconds without a key before the session locks (0: never). */
  idleLockSec: number;
  /** How often the home screen refreshes, ms. */
  refreshMs: number;
}

export interface ApiFailure {
  /** HTTP status; 0 when the agent did not answer (down, or the timeout). */
  status: number;
  text: Text;
  problem?: Record<string, unknown>;
}

export type Msg =
  | { kind: 'key'; key: Key; now: number }
  | { kind: 'tick'; now: number }
  | { kind: 'reply'; id: number; tag: Tag; now: number; ok: true; body: Record<string, unknown> }
  | { kind: 'reply'; id: number; tag: Tag; now: number; ok: false; error: ApiFailure };

export type Cmd =
  | { kind: 'api'; id: number; tag: Tag; method: 'GET' | 'POST'; path: string; body?: unknown; timeoutMs: number; background: boolean; what: Text }
  | { kind: 'logout' }
  | { kind: 'quit' };

export function initialState(o: { now: number; lang?: Lang; hindi?: boolean; idleLockSec?: number; refreshMs?: number }): State {
  const hindi = o.hindi ?? true;
  return {
    lang: hindi ? (o.lang ?? 'en') : 'en',
    hindi,
    now: o.now,
    screen: { kind: 'login', field: 'user', user: '', pin: '' },
    snap: {},
    captures: [],
    fingerprint: 'unknown',
    lastInput: o.now,
    lastRefresh: 0,
    lastPoll: 0,
    pending: 0,
    nextId: 1,
    idleLockSec: o.idleLockSec ?? 300,
    refreshMs: o.refreshMs ?? 5000,
  };
}
