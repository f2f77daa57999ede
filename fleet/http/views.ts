/**
 * What the dashboard and its JSON API show, computed from the store: kiosk rows, the fleet
 * overview, the inactivity risk list, weekly e-KYC progress per district, and the CSV export.
 * Pure functions of repository reads, so the API and the CSV always agree.
 */
import type { AlertThresholds } from '../alerts/rules.js';
import type { FleetRepository, KioskRecord, OpenAlert } from '../store/repository.js';

export interface KioskRow {
  kioskId: string;
  district: string | null;
  lsp: string | null;
  liveness: string;
  reason: string;
  livenessSince: number | null;
  lastSeenAt: number | null;
  outbox: number | null;
  summary: string | null;
  daysInactive: number | null;
  breachOn: string | null;
  breachAtTs: number | null;
  walletPaise: number | null;
  walletMinimumPaise: number | null;
  onBattery: boolean;
  alerts: string[];
  severity: 'critical' | 'warning' | 'info' | null;
}

const RANK = { info: 1, warning: 2, critical: 3 } as const;

export function kioskRow(k: KioskRecord, alerts: readonly OpenAlert[]): KioskRow {
  let severity: KioskRow['severity'] = null;
  for (const a of alerts) if (!severity || RANK[a.severity] > RANK[severity]) severity = a.severity;
  return {
    kioskId: k.kioskId,
    district: k.district,
    lsp: k.lsp,
    liveness: k.liveness,
    reason: k.reason,
    livenessSince: k.livenessSince,
    lastSeenAt: k.lastSeenAt,
    outbox: k.heartbeat?.q ?? null,
    summary: k.heartbeat?.sum ?? null,
    daysInactive: k.state?.inactivity?.days ?? null,
    breachOn: k.state?.inactivity?.breachOn ?? null,
    breachAtTs: k.state?.inactivity?.breachAtTs ?? null,
    walletPaise: k.state?.wallet?.balancePaise ?? null,
    walletMinimumPaise: k.state?.wallet?.minimumPaise ?? null,
    onBattery: alerts.some((a) => a.kind === 'on-battery'),
    alerts: alerts.map((a) => a.kind),
    severity,
  };
}

export async function kioskRows(repo: FleetRepository): Promise<KioskRow[]> {
  const [kiosks, alerts] = await Promise.all([repo.listKiosks(), repo.listOpenAlerts()]);
  const byKiosk = new Map<string, OpenAlert[]>();
  for (const a of alerts) byKiosk.set(a.kioskId, [...(byKiosk.get(a.kioskId) ?? []), a]);
  return kiosks.map((k) => kioskRow(k, byKiosk.get(k.kioskId) ?? []));
}

export interface RowQuery {
  district?: string | undefined;
  alert?: string | undefined;
  liveness?: string | undefined;
  q?: string | undefined;
  sort?: string | undefined;
  order?: string | undefined;
}

const SORTS: Record<string, (r: KioskRow) => number | string | null> = {
  id: (r) => r.kioskId,
  district: (r) => r.district,
  daysInactive: (r) => r.daysInactive,
  wallet: (r) => r.walletPaise,
  lastSeen: (r) => r.lastSeenAt,
};

/** Filters and sorts rows; unknown values (no state yet) sort last either way. */
export function queryRows(rows: readonly KioskRow[], q: RowQuery): KioskRow[] {
  let out = rows.filter(
    (r) =>
      (!q.district || r.district === q.district) &&
      (!q.alert || (q.alert === 'any' ? r.alerts.length > 0 : r.alerts.includes(q.alert))) &&
      (!q.liveness || r.liveness === q.liveness) &&
      (!q.q || r.kioskId.toLowerCase().includes(q.q.toLowerCase())),
  );
  const key = SORTS[q.sort ?? 'id'] ?? SORTS.id!;
  const dir = q.order === 'desc' ? -1 : 1;
  out = [...out].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === y) return a.kioskId < b.kioskId ? -1 : 1;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  });
  return out;
}

export function overview(rows: readonly KioskRow[], th: AlertThresholds) {
  const count = (f: (r: KioskRow) => boolean): number => rows.reduce((n, r) => n + (f(r) ? 1 : 0), 0);
  const alerts: Record<string, number> = {};
  for (const r of rows) for (const a of r.alerts) alerts[a] = (alerts[a] ?? 0) + 1;
  return {
    total: rows.length,
    online: count((r) => r.liveness === 'online'),
    offline: count((r) => r.liveness === 'offline'),
    unknown: count((r) => r.liveness === 'unknown'),
    onBattery: count((r) => r.onBattery),
    atRisk: count((r) => r.daysInactive !== null && r.daysInactive >= th.inactivityWarnDays),
    withAlerts: count((r) => r.alerts.length > 0),
    alerts,
    districts: [...new Set(rows.map((r) => r.district).filter((d): d is string => d !== null))].sort(),
  };
}

/** Kiosks that will be fined unless they transact: from `fromDays` of inactivity, soonest breach first. */
export function inactivityRisk(rows: readonly KioskRow[], fromDays: number): KioskRow[] {
  return rows
    .filter((r) => r.daysInactive !== null && r.daysInactive >= fromDays)
    .sort((a, b) => (a.breachAtTs ?? Infinity) - (b.breachAtTs ?? Infinity) || (a.kioskId < b.kioskId ? -1 : 1));
}

const IST_MS = 5.5 * 3_600_000;
const WEEK_MS = 7 * 86_400_000;
/** 1970-01-05 was a Monday: weeks start on Monday, in IST. */
const MONDAY_MS = 4 * 86_400_000;

export function weekStart(ts: number): string {
  const local = ts + IST_MS;
  const start = local - ((((local - MONDAY_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS);
  return new Date(start).toISOString().slice(0, 10);
}

/** Successful e-KYC transactions per district and IST week (Monday first), the newest `weeks` weeks. */
export async function ekycWeekly(repo: FleetRepository, now: number, weeks: number, codes: readonly string[] = ['EKYC']) {
  const first = weekStart(now - (weeks - 1) * WEEK_MS);
  const labels: string[] = [];
  for (let i = weeks - 1; i >= 0; i--) labels.push(weekStart(now - i * WEEK_MS));
  const since = Date.parse(`${first}T00:00:00Z`) - IST_MS;
  const rows = await repo.listServiceTransactions(codes, since);
  const table = new Map<string, number[]>();
  for (const r of rows) {
    const d = r.district ?? '(unknown)';
    const i = labels.indexOf(weekStart(r.ts));
    if (i < 0) continue;
    const line = table.get(d) ?? labels.map(() => 0);
    line[i] = (line[i] ?? 0) + 1;
    table.set(d, line);
  }
  return {
    weeks: labels,
    districts: [...table.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([district, counts]) => ({ district, counts, total: counts.reduce((s, n) => s + n, 0) })),
  };
}

function csvCell(v: string | number | boolean | null | readonly string[]): string {
  const s = v === null ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  // Text starting with = + - @ would be a formula in a spreadsheet: mark it as text. Numbers stay numbers.
  const safe = typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const CSV_COLUMNS: (keyof KioskRow)[] = ['kioskId', 'district', 'lsp', 'liveness', 'reason', 'lastSeenAt', 'daysInactive', 'breachOn', 'walletPaise', 'walletMinimumPaise', 'onBattery', 'alerts', 'severity', 'summary'];

export function rowsCsv(rows: readonly KioskRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(CSV_COLUMNS.map((c) => (c === 'lastSeenAt' && r.lastSeenAt !== null ? csvCell(new Date(r.lastSeenAt).toISOString()) : csvCell(r[c]))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
