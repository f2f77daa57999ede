/**
 * Online/offline as pure decisions (reference/fleet-telemetry.md §0.1, the Sparkplug bdSeq rule).
 * Every connection of a kiosk has a session counter; its birth and its will carry it. Only the
 * newest session speaks for the kiosk:
 *  - a birth older than the newest session known is ignored (a retained birth replayed late);
 *  - a will or shutdown older than the newest session never marks a live kiosk offline;
 *  - a birth of a session that has already ended (its will came first) is ignored too;
 *  - heartbeats keep an online kiosk online, and bring back one that had only gone quiet
 *    (missed heartbeats) — but not one whose session ended: that takes a new birth.
 * All times are the fleet's receive times: a kiosk's own clock may be untrusted (no RTC).
 */
import type { StatusMessage } from '../protocols/telemetry/index.js';
import type { Liveness, LivenessReason } from './store/repository.js';

export interface LivenessView {
  liveness: Liveness;
  reason: LivenessReason;
  session: number | null;
  livenessSince: number | null;
  heartbeatSec: number | null;
  lastBeatAt: number | null;
}

export interface Decision {
  /** Whether the message is taken (and the record updated); false means dropped as stale or duplicate. */
  apply: boolean;
  next: LivenessView;
  /** A short word for the log: why it was taken or dropped. */
  note: string;
}

export const UNKNOWN: LivenessView = {
  liveness: 'unknown',
  reason: 'none',
  session: null,
  livenessSince: null,
  heartbeatSec: null,
  lastBeatAt: null,
};

const ended = (v: LivenessView): boolean => v.liveness === 'offline' && (v.reason === 'will' || v.reason === 'shutdown');

function keep(cur: LivenessView, note: string): Decision {
  return { apply: false, next: cur, note };
}

export function onStatus(cur: LivenessView, msg: StatusMessage, now: number): Decision {
  const s = msg.session;
  if (msg.state === 'online') {
    if (cur.session !== null && s < cur.session) return keep(cur, 'stale-birth');
    if (cur.session !== null && s === cur.session) {
      return keep(cur, ended(cur) ? 'birth-of-ended-session' : 'duplicate-birth');
    }
    return {
      apply: true,
      note: 'birth',
      next: { liveness: 'online', reason: 'birth', session: s, livenessSince: now, heartbeatSec: msg.heartbeatSec, lastBeatAt: now },
    };
  }
  // A death: the broker's last will, or the agent's own goodbye.
  if (cur.session !== null && s < cur.session) return keep(cur, `stale-${msg.reason}`);
  if (cur.session !== null && s === cur.session && ended(cur)) return keep(cur, `duplicate-${msg.reason}`);
  return {
    apply: true,
    note: msg.reason,
    next: { ...cur, liveness: 'offline', reason: msg.reason, session: s, livenessSince: now },
  };
}

export function onHeartbeat(cur: LivenessView, now: number): Decision {
  if (cur.liveness === 'online') return { apply: true, note: 'heartbeat', next: { ...cur, lastBeatAt: now } };
  if (ended(cur)) return keep(cur, 'heartbeat-after-death');
  return {
    apply: true,
    note: cur.liveness === 'unknown' ? 'first-heartbeat' : 'heartbeats-resumed',
    next: { ...cur, liveness: 'online', reason: 'heartbeat', livenessSince: now, lastBeatAt: now },
  };
}

/** The heartbeat window of a kiosk, in ms: `misses` intervals from its birth. */
export function heartbeatWindowMs(cur: LivenessView, misses: number, defaultHeartbeatSec: number): number {
  return misses * (cur.heartbeatSec ?? defaultHeartbeatSec) * 1000;
}

/**
 * The periodic check: an online kiosk silent for longer than its window goes offline. The window
 * never starts before `notBefore` (when this monitor started listening): silence while the fleet
 * itself was down proves nothing, and every kiosk flapping offline at each restart would.
 */
export function onTick(
  cur: LivenessView,
  now: number,
  misses: number,
  defaultHeartbeatSec: number,
  notBefore = 0,
): Decision {
  if (cur.liveness !== 'online') return keep(cur, 'not-online');
  const since = Math.max(cur.lastBeatAt ?? cur.livenessSince ?? now, notBefore);
  if (now - since <= heartbeatWindowMs(cur, misses, defaultHeartbeatSec)) return keep(cur, 'in-time');
  return {
    apply: true,
    note: 'missed-heartbeats',
    next: { ...cur, liveness: 'offline', reason: 'missed-heartbeats', livenessSince: now },
  };
}
