/**
 * Power policy as a pure state machine (conventions §3.7: timers live outside, "time passed" is an
 * input). Readings and failures go in; power events and at most one shutdown decision come out. The
 * agent writes the events to the outbox and runs the shutdown sequence; this file decides only *when*.
 *
 * - Line changes (mains ↔ battery) and the critical condition must hold for `debounceMs` across
 *   consecutive readings before they count: budget APC units flap LB/RB and OL/DISCHRG (reference §3,
 *   #2347), and Debian 12's NUT 2.8.0 predates upsd's own `lbrb_log_delay_sec`, so we debounce here.
 * - Critical, as upsmon defines it (reference §4.3): on battery and low battery, or FSD; plus runtime
 *   (or charge) under a configured minimum while on battery; plus, like upsmon's DEADTIME rule, a UPS
 *   last seen on battery that stops answering.
 * - A source with no fresh reading for `staleAfterMs` is "comm lost"; the next good reading restores it.
 */
import type { UpsState } from './state.js';

export interface PowerPolicyConfig {
  /** How long a new line/critical state must persist across readings, ms. Default 1000 (two polls at 2 s). */
  debounceMs: number;
  /** No fresh reading for this long → ups.comm_lost, ms. Default 15000 (upsd MAXAGE, upsmon DEADTIME). */
  staleAfterMs: number;
  /** Shut down when on battery and the reported runtime drops below this, s; null = ignore runtime. Default 180. */
  minRuntimeS: number | null;
  /** Shut down when on battery and the charge drops below this, %; null = rely on LB. Default null. */
  minChargePct: number | null;
  /** Treat a UPS last seen on battery that stops answering as critical (upsmon). Default true. */
  shutdownOnCommLostOnBattery: boolean;
}

export const DEFAULT_POWER_POLICY: PowerPolicyConfig = {
  debounceMs: 1000,
  staleAfterMs: 15_000,
  minRuntimeS: 180,
  minChargePct: null,
  shutdownOnCommLostOnBattery: true,
};

export type Line = 'unknown' | 'mains' | 'battery';
export type CriticalReason = 'low_battery' | 'runtime' | 'charge' | 'forced_shutdown' | 'comm_lost_on_battery';

export type PowerEvent =
  | { type: 'power.lost'; severity: 'warning'; at: number; data: { chargePct: number | null; runtimeS: number | null; inputVoltage: number | null } }
  | { type: 'power.restored'; severity: 'info'; at: number; data: { onBatteryMs: number | null; chargePct: number | null } }
  | { type: 'battery.low'; severity: 'critical'; at: number; data: { reason: CriticalReason; chargePct: number | null; runtimeS: number | null } }
  | { type: 'ups.comm_lost'; severity: 'warning'; at: number; data: { lastSeenAgoMs: number | null; error: string | null; line: Line } }
  | { type: 'ups.comm_restored'; severity: 'info'; at: number; data: { downMs: number } };

export type PowerEventType = PowerEvent['type'];

export interface ShutdownDecision {
  reason: CriticalReason;
  at: number;
  chargePct: number | null;
  runtimeS: number | null;
}

export type PolicyEffect = { kind: 'event'; event: PowerEvent } | { kind: 'shutdown'; decision: ShutdownDecision };

export type PolicyInput =
  | { kind: 'reading'; at: number; ups: UpsState }
  | { kind: 'failure'; at: number; error: string }
  | { kind: 'tick'; at: number };

interface Pending<T> {
  value: T;
  since: number;
}

export interface PolicyState {
  startedAt: number;
  line: Line;
  pendingLine: Pending<Line> | null;
  onBatterySince: number | null;
  /** Confirmed critical reason (battery.low sent), cleared when mains returns. */
  critical: CriticalReason | null;
  pendingCritical: Pending<CriticalReason | null> | null;
  comm: 'unknown' | 'ok' | 'lost';
  lastFreshAt: number | null;
  commLostAt: number | null;
  lastError: string | null;
  last: UpsState | null;
  /** Latched: a shutdown is never un-decided (the sequence may already be running). */
  shutdown: ShutdownDecision | null;
}

export function initialPolicyState(at: number): PolicyState {
  return {
    startedAt: at,
    line: 'unknown',
    pendingLine: null,
    onBatterySince: null,
    critical: null,
    pendingCritical: null,
    comm: 'unknown',
    lastFreshAt: null,
    commLostAt: null,
    lastError: null,
    last: null,
    shutdown: null,
  };
}

function rawLine(u: UpsState): Line {
  if (u.onBattery) return 'battery';
  return u.onMains ? 'mains' : 'unknown';
}

/**
 * Judged on the reading itself, not on the confirmed line: when mains fails and LB is already set (a
 * tired battery), both debounces start on the same reading and power.lost and battery.low confirm
 * together instead of one debounce after the other.
 */
function rawCritical(u: UpsState, cfg: PowerPolicyConfig): CriticalReason | null {
  if (u.shutdownPending) return 'forced_shutdown';
  if (!u.onBattery) return null;
  if (u.lowBattery) return 'low_battery';
  if (cfg.minRuntimeS !== null && u.runtimeS !== null && u.runtimeS < cfg.minRuntimeS) return 'runtime';
  if (cfg.minChargePct !== null && u.chargePct !== null && u.chargePct < cfg.minChargePct) return 'charge';
  return null;
}

/** Debounce: returns the value to confirm (or undefined) and the new pending slot. */
function settle<T>(confirmed: T, raw: T, pending: Pending<T> | null, at: number, debounceMs: number): [T | undefined, Pending<T> | null] {
  if (raw === confirmed) return [undefined, null];
  const p = pending && pending.value === raw ? pending : { value: raw, since: at };
  return at - p.since >= debounceMs ? [raw, null] : [undefined, p];
}

export function step(prev: PolicyState, input: PolicyInput, cfg: PowerPolicyConfig = DEFAULT_POWER_POLICY): [PolicyState, PolicyEffect[]] {
  const s: PolicyState = { ...prev };
  const fx: PolicyEffect[] = [];
  const emit = (event: PowerEvent): void => void fx.push({ kind: 'event', event });
  const decide = (reason: CriticalReason, at: number, u: UpsState | null): void => {
    if (s.shutdown) return;
    s.shutdown = { reason, at, chargePct: u?.chargePct ?? null, runtimeS: u?.runtimeS ?? null };
    fx.push({ kind: 'shutdown', decision: s.shutdown });
  };
  const at = input.at;

  if (input.kind === 'reading') {
    const u = input.ups;
    if (s.comm === 'lost') emit({ type: 'ups.comm_restored', severity: 'info', at, data: { downMs: at - (s.commLostAt ?? at) } });
    s.comm = 'ok';
    s.commLostAt = null;
    s.lastFreshAt = at;
    s.lastError = null;
    s.last = u;

    // Line: the first reading is believed at once (an agent booting on battery must say so).
    const raw = rawLine(u);
    if (raw !== 'unknown') {
      const [confirm, pending] = s.line === 'unknown' ? [raw, null] : settle(s.line, raw, s.pendingLine, at, cfg.debounceMs);
      s.pendingLine = pending;
      if (confirm !== undefined && confirm !== s.line) {
        const from = s.line;
        s.line = confirm;
        if (confirm === 'battery') {
          s.onBatterySince = at;
          emit({ type: 'power.lost', severity: 'warning', at, data: { chargePct: u.chargePct, runtimeS: u.runtimeS, inputVoltage: u.inputVoltage } });
        } else if (from === 'battery') {
          emit({ type: 'power.restored', severity: 'info', at, data: { onBatteryMs: s.onBatterySince === null ? null : at - s.onBatterySince, chargePct: u.chargePct } });
          s.onBatterySince = null;
          s.critical = null;
          s.pendingCritical = null;
        }
      }
    }

    const crit = rawCritical(u, cfg);
    const [confirmCrit, pendingCrit] = settle<CriticalReason | null>(s.critical, crit, s.pendingCritical, at, cfg.debounceMs);
    s.pendingCritical = pendingCrit;
    if (confirmCrit !== undefined) {
      // A reason that changes (runtime → low_battery) while already critical does not re-alert.
      if (confirmCrit !== null && s.critical === null) {
        emit({ type: 'battery.low', severity: 'critical', at, data: { reason: confirmCrit, chargePct: u.chargePct, runtimeS: u.runtimeS } });
        decide(confirmCrit, at, u);
      }
      if (confirmCrit === null || s.critical === null) s.critical = confirmCrit;
    }
    return [s, fx];
  }

  if (input.kind === 'failure') s.lastError = input.error;
  // failure and tick: is the source stale?
  const since = s.lastFreshAt ?? s.startedAt;
  if (s.comm !== 'lost' && at - since >= cfg.staleAfterMs) {
    s.comm = 'lost';
    s.commLostAt = at;
    s.pendingLine = null;
    s.pendingCritical = null;
    emit({
      type: 'ups.comm_lost',
      severity: 'warning',
      at,
      data: { lastSeenAgoMs: s.lastFreshAt === null ? null : at - s.lastFreshAt, error: s.lastError, line: s.line },
    });
    if (s.line === 'battery' && cfg.shutdownOnCommLostOnBattery) {
      emit({ type: 'battery.low', severity: 'critical', at, data: { reason: 'comm_lost_on_battery', chargePct: s.last?.chargePct ?? null, runtimeS: s.last?.runtimeS ?? null } });
      s.critical = 'comm_lost_on_battery';
      decide('comm_lost_on_battery', at, s.last);
    }
  }
  return [s, fx];
}

/** Small stateful wrapper for callers that do not want to thread the state themselves. */
export class PowerPolicy {
  #state: PolicyState;

  constructor(
    readonly config: PowerPolicyConfig = DEFAULT_POWER_POLICY,
    at = 0,
  ) {
    this.#state = initialPolicyState(at);
  }

  get state(): Readonly<PolicyState> {
    return this.#state;
  }

  feed(input: PolicyInput): PolicyEffect[] {
    const [next, fx] = step(this.#state, input, this.config);
    this.#state = next;
    return fx;
  }
}
