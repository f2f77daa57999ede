/**
 * What the fleet keeps, behind an interface: the SQLite implementation serves one machine
 * (DESIGN §7); a PostgreSQL one will serve several fleet instances sharing the load, so every
 * method is async and every read-modify-write of a kiosk is one call the implementation can run
 * as a transaction with a row lock (`SELECT … FOR UPDATE`).
 */
import type { HeartbeatMessage, StateMessage, StatusMessage } from '../../protocols/telemetry/index.js';
import type { AccessRepository } from './access.js';
import type { OperationsRepository, SeqMark } from './operations.js';

export type * from './operations.js';
export type * from './access.js';

export type Liveness = 'online' | 'offline' | 'unknown';

/** Why a kiosk is in its liveness state. */
export type LivenessReason =
  | 'none' // never heard a valid status or heartbeat
  | 'birth' // online: birth of the newest session
  | 'heartbeat' // online: heartbeats resumed without a new birth
  | 'will' // offline: the broker delivered the last will of the newest session
  | 'shutdown' // offline: the agent said goodbye
  | 'missed-heartbeats'; // offline: silent for heartbeat-misses × heartbeatSec

/** Everything the fleet knows about one kiosk. Times ending in `At` are fleet receive times (ms). */
export interface KioskRecord {
  kioskId: string;
  district: string | null;
  lsp: string | null;
  agentVersion: string | null;
  liveness: Liveness;
  reason: LivenessReason;
  /** The newest session counter heard (from a birth or a death). */
  session: number | null;
  livenessSince: number | null;
  heartbeatSec: number | null;
  keepaliveSec: number | null;
  /** Receive time of the last birth or heartbeat: the missed-heartbeat window runs from here. */
  lastBeatAt: number | null;
  /** Receive time of the last valid message of any kind. */
  lastSeenAt: number | null;
  status: StatusMessage | null;
  statusAt: number | null;
  heartbeat: HeartbeatMessage | null;
  heartbeatAt: number | null;
  state: StateMessage | null;
  stateAt: number | null;
  invalidCount: number;
  lastInvalidError: string | null;
  lastInvalidAt: number | null;
}

export function emptyKiosk(kioskId: string): KioskRecord {
  return {
    kioskId,
    district: null,
    lsp: null,
    agentVersion: null,
    liveness: 'unknown',
    reason: 'none',
    session: null,
    livenessSince: null,
    heartbeatSec: null,
    keepaliveSec: null,
    lastBeatAt: null,
    lastSeenAt: null,
    status: null,
    statusAt: null,
    heartbeat: null,
    heartbeatAt: null,
    state: null,
    stateAt: null,
    invalidCount: 0,
    lastInvalidError: null,
    lastInvalidAt: null,
  };
}

export interface StoredEvent {
  kioskId: string;
  seq: number;
  type: string;
  severity: string;
  ts: number;
  mono: number;
  boot: string;
  synced: boolean;
  data: Record<string, unknown>;
  receivedAt: number;
}

/** Everything `kiosk-fleet status` shows, read at one instant. */
export interface FleetSnapshot {
  kiosks: KioskRecord[];
  invalidTotal: number;
  meta: Record<string, string>;
}

export interface FleetRepository extends OperationsRepository {
  /** Users, sessions, login throttle and audit log (issue 10 §5). */
  readonly access: AccessRepository;
  getKiosk(kioskId: string): Promise<KioskRecord | undefined>;
  /**
   * Atomic read-modify-write of one kiosk. `fn` must be synchronous and free of side effects
   * (an implementation may retry it); returning `undefined` leaves the row as it is. Resolves to
   * the record as stored afterwards.
   */
  updateKiosk(
    kioskId: string,
    fn: (current: KioskRecord | undefined) => KioskRecord | undefined,
  ): Promise<KioskRecord | undefined>;
  /** Stores an event; `false` when (kiosk, seq) is already stored — a redelivered duplicate. */
  addEvent(event: StoredEvent): Promise<boolean>;
  /** Stores an event and notes its seq (noteSeq) in one transaction; undefined when already stored. */
  addEventMarked(event: StoredEvent): Promise<SeqMark | undefined>;
  listEvents(kioskId: string, limit?: number): Promise<StoredEvent[]>;
  /** Counts one invalid message, per kiosk (when the topic names one) and in the fleet total. */
  countInvalid(kioskId: string | undefined, error: string, at: number): Promise<void>;
  invalidTotal(): Promise<number>;
  listKiosks(): Promise<KioskRecord[]>;
  /** Kiosks, totals and meta from one consistent read, so the totals agree with the rows. */
  snapshot(): Promise<FleetSnapshot>;
  /**
   * Ids of online kiosks with no birth or heartbeat for `misses` × their heartbeat interval,
   * counting from their last beat but not from before `notBefore`.
   */
  listOverdue(now: number, misses: number, defaultHeartbeatSec: number, notBefore?: number): Promise<string[]>;
  setMeta(key: string, value: string): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Meta key: when the running monitor last checked liveness (so `status` can tell it is down). */
export const META_MONITOR_TICK = 'monitor.tickAt';
/** Meta key: since when the monitor has heard the broker without a break; empty while it does not. */
export const META_LISTENING_SINCE = 'monitor.listeningSince';
