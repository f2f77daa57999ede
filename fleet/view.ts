/**
 * The fleet as rows and as a text table: what `kiosk-fleet status` prints and what `make demo`
 * reprints every couple of seconds. Reads the database read-only, so it runs beside `serve`.
 */
import { existsSync } from 'node:fs';
import type { Liveness, LivenessReason, KioskRecord } from './store/repository.js';
import { META_LISTENING_SINCE, META_MONITOR_TICK } from './store/repository.js';
import { SqliteFleetRepository } from './store/sqlite-repository.js';

export interface FleetRow {
  kiosk: string;
  district: string | null;
  lsp: string | null;
  agentVersion: string | null;
  liveness: Liveness;
  reason: LivenessReason;
  /** When the kiosk entered its liveness state (fleet time, ms). */
  since: number | null;
  session: number | null;
  lastSeenAt: number | null;
  heartbeatSeq: number | null;
  heartbeatSec: number | null;
  outboxDepth: number | null;
  devices: string | null;
  invalidCount: number;
  lastInvalidError: string | null;
}

export interface FleetTotals {
  kiosks: number;
  online: number;
  offline: number;
  unknown: number;
  /** Invalid messages in total, including those whose topic named no kiosk. */
  invalid: number;
}

export interface FleetStatus {
  generatedAt: number;
  /** When the monitor last ran its liveness check; old or null means `serve` is not running. */
  monitorTickAt: number | null;
  /** Whether the monitor heard the broker at its last check (null: not known). */
  brokerConnected: boolean | null;
  totals: FleetTotals;
  rows: FleetRow[];
}

function deviceSummary(k: KioskRecord): string | null {
  if (k.heartbeat) return k.heartbeat.sum;
  if (k.state) {
    return Object.entries(k.state.devices)
      .map(([name, d]) => `${name}:${d.state}`)
      .join(' ');
  }
  return null;
}

export function toFleetRow(k: KioskRecord): FleetRow {
  return {
    kiosk: k.kioskId,
    district: k.district,
    lsp: k.lsp,
    agentVersion: k.agentVersion,
    liveness: k.liveness,
    reason: k.reason,
    since: k.livenessSince,
    session: k.session,
    lastSeenAt: k.lastSeenAt,
    heartbeatSeq: k.heartbeat?.seq ?? null,
    heartbeatSec: k.heartbeatSec,
    outboxDepth: k.heartbeat?.q ?? k.state?.queue.depth ?? null,
    devices: deviceSummary(k),
    invalidCount: k.invalidCount,
    lastInvalidError: k.lastInvalidError,
  };
}

export function totalsOf(rows: FleetRow[], invalid?: number): FleetTotals {
  const count = (l: Liveness): number => rows.filter((r) => r.liveness === l).length;
  return {
    kiosks: rows.length,
    online: count('online'),
    offline: count('offline'),
    unknown: count('unknown'),
    invalid: invalid ?? rows.reduce((n, r) => n + r.invalidCount, 0),
  };
}

async function openForReading(dbPath: string): Promise<SqliteFleetRepository> {
  if (!existsSync(dbPath)) {
    throw new Error(`no fleet database at ${dbPath} (start \`kiosk-fleet serve --db ${dbPath}\` first, or pass --db)`);
  }
  return SqliteFleetRepository.openReadonly(dbPath);
}

/** The whole picture from a fleet database: rows, totals and when the monitor last ran. */
export async function readFleetStatus(dbPath: string, now = Date.now()): Promise<FleetStatus> {
  const repo = await openForReading(dbPath);
  try {
    const snap = await repo.snapshot();
    const rows = snap.kiosks.map(toFleetRow);
    const tick = snap.meta[META_MONITOR_TICK];
    const listening = snap.meta[META_LISTENING_SINCE];
    return {
      generatedAt: now,
      monitorTickAt: tick ? Number(tick) : null,
      brokerConnected: listening === undefined ? null : listening !== '',
      totals: totalsOf(rows, snap.invalidTotal),
      rows,
    };
  } finally {
    await repo.close();
  }
}

/** The rows of a fleet database, one per kiosk, ordered by kiosk id. */
export async function readFleetRows(dbPath: string): Promise<FleetRow[]> {
  return (await readFleetStatus(dbPath)).rows;
}

export function formatAge(ms: number | null, now: number): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

function why(r: FleetRow): string {
  switch (r.reason) {
    case 'birth':
      return 'birth';
    case 'heartbeat':
      return 'heartbeats';
    case 'will':
      return 'will';
    case 'shutdown':
      return 'shutdown';
    case 'missed-heartbeats':
      return 'missed heartbeats';
    default:
      return r.invalidCount > 0 ? 'invalid messages only' : 'not heard';
  }
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface RenderOptions {
  now?: number;
  /** Fleet-wide invalid count (it includes messages whose topic named no kiosk). */
  invalidTotal?: number;
  monitorTickAt?: number | null;
  brokerConnected?: boolean | null;
}

/** The fleet as a fixed-width text table with a totals line. */
export function renderFleetTable(rows: FleetRow[], opts: RenderOptions = {}): string {
  const now = opts.now ?? Date.now();
  const header = ['KIOSK', 'DISTRICT', 'LSP', 'STATE', 'WHY', 'SESSION', 'LAST SEEN', 'HB SEQ', 'OUTBOX', 'BAD', 'DEVICES'];
  const body = rows.map((r) => [
    r.kiosk,
    clip(r.district ?? '-', 20),
    clip(r.lsp ?? '-', 24),
    r.liveness,
    why(r),
    r.session === null ? '-' : String(r.session),
    formatAge(r.lastSeenAt, now),
    r.heartbeatSeq === null ? '-' : String(r.heartbeatSeq),
    r.outboxDepth === null ? '-' : String(r.outboxDepth),
    String(r.invalidCount),
    clip(r.devices ?? '-', 48),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const t = totalsOf(rows, opts.invalidTotal);
  const out = [line(header), ...body.map(line)];
  if (rows.length === 0) out.push('(no kiosks heard yet)');
  let totals = `${t.kiosks} kiosk${t.kiosks === 1 ? '' : 's'}: ${t.online} online, ${t.offline} offline`;
  if (t.unknown) totals += `, ${t.unknown} unknown`;
  totals += `; ${t.invalid} invalid message${t.invalid === 1 ? '' : 's'}`;
  out.push('', totals);
  if (opts.monitorTickAt !== undefined) {
    const stale = opts.monitorTickAt === null || now - opts.monitorTickAt > 30_000;
    if (stale) out.push(`warning: the monitor last checked liveness ${formatAge(opts.monitorTickAt, now)}; is \`kiosk-fleet serve\` running?`);
    else if (opts.brokerConnected === false) {
      out.push('warning: the monitor cannot reach the broker; missed-heartbeat checks wait until it can');
    }
  }
  return out.join('\n') + '\n';
}

export function renderFleetStatus(status: FleetStatus): string {
  return renderFleetTable(status.rows, {
    now: status.generatedAt,
    invalidTotal: status.totals.invalid,
    monitorTickAt: status.monitorTickAt,
    brokerConnected: status.brokerConnected,
  });
}
