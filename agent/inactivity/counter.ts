/**
 * The 30-day inactivity count (issue 8 §4) as a pure state machine: days since the last
 * successful transaction, on a Raspberry Pi that has no real-time clock
 * (reference/fleet-telemetry.md §8).
 *
 * Within one boot the count runs on the monotonic clock, which no wall-clock step touches: an
 * NTP correction or a fake-hwclock restore neither resets nor inflates it. Across a reboot the
 * monotonic clock restarts, so the time the kiosk was off is bridged with trusted wall time: the
 * true end of the last boot that had trusted time (its wall-minus-monotonic offset plus its last
 * monotonic reading) against the true start of the first later boot that gets trusted time, less
 * the uptime of any boots in between that never had it. Until that bridge can be made the count
 * is a lower bound (`estimated`); an untrusted wall clock is never used, so the count can lag but
 * never run ahead. A gap no trusted reading can bridge (the spell began in a boot that never had
 * trusted time) stays uncounted, and the state says so.
 */

export const DAY_MS = 86_400_000;

export interface Reading {
  ts: number;
  mono: number;
  boot: string;
  synced: boolean;
}

export interface CurrentBoot {
  boot: string;
  /** Monotonic ms where this boot's share of the count starts (0, or the transaction's reading). */
  startMono: number;
  /** Latest monotonic reading seen in this boot. */
  lastMono: number;
  /** Wall minus monotonic while the clock was trusted in this boot: true time = offset + mono. */
  offset?: number;
}

export interface InactivityState {
  v: 1;
  /** Counted ms from the start of the spell to the end of the previous boots (lower bound). */
  pastMs: number;
  /** True wall time at the end of the last boot with trusted time, waiting to be bridged. */
  knownEndTs?: number;
  /** Uptime of boots after knownEndTs that never had trusted time. */
  darkMs: number;
  /** A reboot gap that nothing can bridge any more was left uncounted. */
  lost: boolean;
  /** A reboot gap before the transaction may have been counted after it (see startSpell). */
  approx?: boolean;
  cur: CurrentBoot;
  /** The transaction that started this spell (undefined: counted from the first start). */
  originTxn?: string;
  /** The boot it was recorded in. */
  originBoot?: string;
  /** Wall time of that transaction and whether it was trusted, for display. */
  originTs?: number;
  originSynced?: boolean;
  /** Warning days already sent in this spell. */
  warned: number[];
  /** Breaches already sent in this spell. */
  breaches: number;
}

export interface Rules {
  warnDays: number[];
  breachDays: number;
}

export interface LastTxn {
  id: string;
  ts: number;
  mono: number;
  boot: string;
  synced: boolean;
}

export type Crossing = { kind: 'warning'; day: number } | { kind: 'breach'; count: number };

export function initialState(now: Reading): InactivityState {
  return {
    v: 1,
    pastMs: 0,
    darkMs: 0,
    lost: false,
    cur: { boot: now.boot, startMono: now.mono, lastMono: now.mono, ...(now.synced ? { offset: now.ts - now.mono } : {}) },
    warned: [],
    breaches: 0,
  };
}

function startSpell(s: InactivityState, txn: LastTxn, startMono: number): InactivityState {
  const out: InactivityState = {
    v: 1,
    pastMs: 0,
    darkMs: 0,
    lost: false,
    cur: { ...s.cur, startMono, lastMono: Math.max(s.cur.lastMono, startMono) },
    originTxn: txn.id,
    originBoot: s.cur.boot,
    originTs: txn.ts,
    originSynced: txn.synced,
    warned: [],
    breaches: 0,
  };
  if (s.cur.offset === undefined && s.knownEndTs !== undefined) {
    // A transaction in a boot without trusted time, after a reboot not bridged yet: its true time
    // is unknown. The pending bridge is kept, so the whole unknown gap is later counted after the
    // transaction — an early warning rather than a missed one (the count may then run ahead by the
    // time the kiosk was off before this boot, and says it is estimated).
    out.knownEndTs = s.knownEndTs;
    out.darkMs = s.darkMs;
    out.approx = true;
  }
  return out;
}

/**
 * Brings the state up to `now`: a new last transaction starts a new spell, a new boot folds the
 * previous one in, trusted time bridges a pending reboot gap. Pure: returns a new state.
 */
export function advance(prev: InactivityState, now: Reading, txn?: LastTxn): InactivityState {
  let s: InactivityState = { ...prev, cur: { ...prev.cur }, warned: [...prev.warned] };
  if (txn && txn.id !== s.originTxn) {
    // Checked against the stored boot first: a transaction recorded just before a reboot starts
    // its spell at its own reading in that boot, before the reboot is folded in.
    if (txn.boot === s.cur.boot) s = startSpell(s, txn, txn.mono);
    else if (txn.boot === now.boot) s = startSpell({ ...s, cur: { boot: now.boot, startMono: 0, lastMono: now.mono } }, txn, txn.mono);
    else s = startSpell({ ...s, cur: { boot: now.boot, startMono: now.mono, lastMono: now.mono } }, txn, now.mono);
  }
  if (now.boot !== s.cur.boot) {
    const up = Math.max(0, s.cur.lastMono - s.cur.startMono);
    s.pastMs += up;
    if (s.cur.offset !== undefined) {
      s.knownEndTs = s.cur.offset + s.cur.lastMono;
      s.darkMs = 0;
    } else if (s.knownEndTs !== undefined) {
      // The whole boot, from its start: the bridge measures from the boot's true start.
      s.darkMs += s.cur.lastMono;
    } else {
      s.lost = true;
    }
    // The new boot counts from its start: the kiosk was up before the agent started.
    s.cur = { boot: now.boot, startMono: 0, lastMono: now.mono };
  }
  s.cur.lastMono = Math.max(s.cur.lastMono, now.mono);
  if (now.synced) {
    const offset = now.ts - now.mono;
    if (s.cur.offset === undefined && s.knownEndTs !== undefined) {
      // Trusted time in the boot of the spell's own transaction dates it exactly: nothing to add.
      if (s.originBoot !== s.cur.boot) s.pastMs += Math.max(0, offset - s.knownEndTs - s.darkMs);
      else delete s.approx;
      delete s.knownEndTs;
      s.darkMs = 0;
    }
    // The latest trusted offset: an NTP correction within the boot is the better estimate.
    s.cur.offset = offset;
  }
  return s;
}

export function elapsedMs(s: InactivityState): number {
  return s.pastMs + Math.max(0, s.cur.lastMono - s.cur.startMono);
}

/** Whether the count is a lower bound: a reboot gap is pending a bridge or could not be bridged. */
export function isEstimated(s: InactivityState): boolean {
  return s.lost || s.approx === true || (s.knownEndTs !== undefined && s.cur.offset === undefined);
}

export function daysOf(s: InactivityState): number {
  return Math.floor(elapsedMs(s) / DAY_MS);
}

/**
 * The warnings and breaches now due, each once per spell, and the state that records them. When
 * the kiosk was off across several warning days only the latest is sent: the earlier ones are
 * stale news.
 */
export function crossings(s: InactivityState, rules: Rules): { state: InactivityState; due: Crossing[] } {
  const days = daysOf(s);
  const due: Crossing[] = [];
  const breaches = Math.floor(days / rules.breachDays);
  const out: InactivityState = { ...s, warned: [...s.warned] };
  if (breaches > s.breaches) {
    out.breaches = breaches;
    due.push({ kind: 'breach', count: breaches });
  }
  // Warnings belong to the run-up to the first breach.
  const newly = rules.warnDays.filter((d) => d < rules.breachDays && days >= d && !s.warned.includes(d)).sort((a, b) => a - b);
  if (newly.length) {
    out.warned.push(...newly);
    if (breaches === 0) due.unshift({ kind: 'warning', day: newly[newly.length - 1]! });
  }
  return { state: out, due };
}

/** Best estimate of the true wall time now: trusted offset when there is one, else the clock. */
export function trueNow(s: InactivityState, now: Reading): number {
  return s.cur.offset !== undefined && s.cur.boot === now.boot ? s.cur.offset + now.mono : now.ts;
}

/** Estimated wall time at which the next breach falls. */
export function breachAt(s: InactivityState, now: Reading, rules: Rules): number {
  const next = rules.breachDays * (s.breaches + 1) * DAY_MS;
  return Math.max(0, Math.round(trueNow(s, now) + (next - elapsedMs(s))));
}
