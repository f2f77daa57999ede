/**
 * The fleet store's rows and the records they hold, in the columns SQLite and PostgreSQL share
 * (DESIGN §7). PostgreSQL hands BIGINT back as a string, hence `Number(…)` on every numeric column.
 */
import type { HeartbeatMessage, StateMessage, StatusMessage } from '../../protocols/telemetry/index.js';
import type { AlertSeverity, JobRecord, JobTarget, JobTargetStatus, OpenAlert, StoredTransaction } from './operations.js';
import type { KioskRecord, Liveness, LivenessReason, StoredEvent } from './repository.js';
import type { Row, SqlValue } from './sqlite.js';

export const COLUMNS = [
  'kiosk_id',
  'district',
  'lsp',
  'agent_version',
  'liveness',
  'reason',
  'session',
  'liveness_since',
  'heartbeat_sec',
  'keepalive_sec',
  'last_beat_at',
  'last_seen_at',
  'status_json',
  'status_at',
  'heartbeat_json',
  'heartbeat_at',
  'state_json',
  'state_at',
  'invalid_count',
  'last_invalid_error',
  'last_invalid_at',
] as const;

export const UPSERT = `INSERT INTO kiosks (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (kiosk_id) DO UPDATE SET ${COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

/** A kiosk not stored yet: a plain insert, which fails on the key if another writer got there first. */
export const INSERT = `INSERT INTO kiosks (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;

function json<T>(text: unknown): T | null {
  return typeof text === 'string' ? (JSON.parse(text) as T) : null;
}
const obj = (v: unknown): Record<string, unknown> | null => json<Record<string, unknown>>(v);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function rowToKiosk(r: Row): KioskRecord {
  return {
    kioskId: String(r.kiosk_id),
    district: strOrNull(r.district),
    lsp: strOrNull(r.lsp),
    agentVersion: strOrNull(r.agent_version),
    liveness: String(r.liveness) as Liveness,
    reason: String(r.reason) as LivenessReason,
    session: num(r.session),
    livenessSince: num(r.liveness_since),
    heartbeatSec: num(r.heartbeat_sec),
    keepaliveSec: num(r.keepalive_sec),
    lastBeatAt: num(r.last_beat_at),
    lastSeenAt: num(r.last_seen_at),
    status: json<StatusMessage>(r.status_json),
    statusAt: num(r.status_at),
    heartbeat: json<HeartbeatMessage>(r.heartbeat_json),
    heartbeatAt: num(r.heartbeat_at),
    state: json<StateMessage>(r.state_json),
    stateAt: num(r.state_at),
    invalidCount: Number(r.invalid_count ?? 0),
    lastInvalidError: strOrNull(r.last_invalid_error),
    lastInvalidAt: num(r.last_invalid_at),
  };
}

export function kioskToParams(k: KioskRecord): SqlValue[] {
  const js = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));
  return [
    k.kioskId,
    k.district,
    k.lsp,
    k.agentVersion,
    k.liveness,
    k.reason,
    k.session,
    k.livenessSince,
    k.heartbeatSec,
    k.keepaliveSec,
    k.lastBeatAt,
    k.lastSeenAt,
    js(k.status),
    k.statusAt,
    js(k.heartbeat),
    k.heartbeatAt,
    js(k.state),
    k.stateAt,
    k.invalidCount,
    k.lastInvalidError,
    k.lastInvalidAt,
  ];
}

export function rowToEvent(r: Row): StoredEvent {
  return {
    kioskId: String(r.kiosk_id),
    seq: Number(r.seq),
    type: String(r.type),
    severity: String(r.severity),
    ts: Number(r.ts),
    mono: Number(r.mono),
    boot: String(r.boot),
    synced: Number(r.synced) === 1,
    data: JSON.parse(String(r.data_json)) as Record<string, unknown>,
    receivedAt: Number(r.received_at),
  };
}

export function rowToTxn(r: Row): StoredTransaction {
  return {
    kioskId: String(r.kiosk_id),
    seq: Number(r.seq),
    entry: String(r.entry) as StoredTransaction['entry'],
    ts: Number(r.ts),
    synced: Number(r.synced) === 1,
    serviceCode: strOrNull(r.service_code),
    status: strOrNull(r.status),
    amountPaise: Number(r.amount_paise),
    balancePaise: Number(r.balance_paise),
    data: obj(r.data_json) ?? {},
    receivedAt: Number(r.received_at),
  };
}

export function rowToJob(r: Row): JobRecord {
  return {
    jobId: String(r.job_id),
    type: String(r.type),
    params: obj(r.params_json) ?? {},
    target: String(r.target),
    createdAt: Number(r.created_at),
    expiresTs: Number(r.expires_ts),
    createdBy: String(r.created_by),
  };
}

export function rowToTarget(r: Row): JobTarget {
  return {
    jobId: String(r.job_id),
    kioskId: String(r.kiosk_id),
    status: String(r.status) as JobTargetStatus,
    code: strOrNull(r.code),
    reason: strOrNull(r.reason),
    result: obj(r.result_json),
    updatedAt: Number(r.updated_at),
  };
}

export function rowToAlert(r: Row): OpenAlert {
  return {
    kioskId: String(r.kiosk_id),
    kind: String(r.kind),
    severity: String(r.severity) as AlertSeverity,
    detail: String(r.detail),
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
  };
}
