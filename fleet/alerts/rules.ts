/**
 * Alert rules as pure functions of what the fleet knows of one kiosk: its record (liveness, the
 * retained state snapshot) and its recent events. Each rule says whether its alert is active now,
 * how severe, and a short detail; the engine turns the difference into open / update / clear.
 * The state snapshot is the main source: it is retained and re-sent on change, so a lost event
 * cannot leave an alert open for ever.
 */
import { z } from 'zod';
import type { DeviceHealth } from '../../protocols/telemetry/index.js';
import type { AlertSeverity, KioskRecord, StoredEvent } from '../store/repository.js';

export const ALERT_KINDS = [
  'offline',
  'on-battery',
  'battery-low',
  'printer-paper-out',
  'printer-paper-near-end',
  'printer-cover-open',
  'reader-not-ready',
  'reader-gone',
  'inactivity-warning',
  'inactivity-breach',
  'wallet-below-minimum',
  'capture-backlog',
  'captures-expired',
  'clock-not-synced',
  'certificate-expiring',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface ActiveAlert {
  kind: AlertKind;
  severity: AlertSeverity;
  detail: string;
}

export const AlertThresholds = z.strictObject({
  /** Days without a transaction from which the inactivity warning opens (the circular's 30-day rule). */
  inactivityWarnDays: z.number().int().positive().default(25),
  inactivityBreachDays: z.number().int().positive().default(30),
  /** UPS charge (%) under which a kiosk on battery is `battery-low`. */
  batteryLowPct: z.number().min(0).max(100).default(30),
  /** Overrides each kiosk's own wallet minimum when set (paise). */
  walletMinimumPaise: z.number().int().nonnegative().optional(),
  /** Queued (unsent) captures from which `capture-backlog` opens. */
  captureBacklog: z.number().int().positive().default(10),
  /** How long a `capture.expired` event keeps `captures-expired` open. */
  capturesExpiredWindowHours: z.number().positive().default(24),
  /** Days before a reader's device certificate expires when `certificate-expiring` opens. */
  certificateDays: z.number().int().nonnegative().default(14),
  /** Whether a clean shutdown counts as offline (it is planned; a warning, not critical). */
  shutdownIsOffline: z.boolean().default(true),
});
export type AlertThresholds = z.infer<typeof AlertThresholds>;
export const DEFAULT_THRESHOLDS: AlertThresholds = AlertThresholds.parse({});

const READER_DEVICES = new Set(['fingerprint', 'rdService', 'reader']);
const DAY = 86_400_000;

function upsCharge(ups: DeviceHealth): number | undefined {
  const c = (ups as { chargePct?: unknown }).chargePct;
  if (typeof c === 'number') return c;
  const m = /(\d+(?:\.\d+)?)%/.exec(ups.detail ?? '');
  return m ? Number(m[1]) : undefined;
}

function power(k: KioskRecord, th: AlertThresholds, out: ActiveAlert[]): void {
  const ups = k.state?.devices.ups;
  if (!ups || ups.state === 'disabled') return;
  const detail = ups.detail ?? '';
  const onBattery = (ups as { line?: unknown }).line === 'battery' || detail.startsWith('on battery');
  if (!onBattery) return;
  const charge = upsCharge(ups);
  out.push({ kind: 'on-battery', severity: 'warning', detail: charge === undefined ? 'on battery' : `on battery, ${charge}%` });
  if (/\blow\b/.test(detail) || (charge !== undefined && charge < th.batteryLowPct)) {
    out.push({ kind: 'battery-low', severity: 'critical', detail: charge === undefined ? 'battery low' : `battery ${charge}%` });
  }
}

function printer(k: KioskRecord, out: ActiveAlert[]): void {
  const p = k.state?.devices.printer;
  if (!p) return;
  const detail = p.detail ?? '';
  const paper = (p as { paper?: unknown }).paper;
  if (detail === 'cover open') out.push({ kind: 'printer-cover-open', severity: 'critical', detail });
  if (detail === 'paper out' || paper === 'out') out.push({ kind: 'printer-paper-out', severity: 'critical', detail: 'paper out' });
  else if (detail === 'paper near end' || paper === 'near-end') out.push({ kind: 'printer-paper-near-end', severity: 'warning', detail: 'paper near end' });
}

function readers(k: KioskRecord, now: number, th: AlertThresholds, out: ActiveAlert[]): void {
  const notReady: string[] = [];
  const gone: string[] = [];
  let expiring: string | undefined;
  for (const [name, d] of Object.entries(k.state?.devices ?? {})) {
    if (!READER_DEVICES.has(name) && (d as { reader?: unknown }).reader === undefined) continue;
    const label = `${name}${d.detail ? `: ${d.detail}` : ''}`;
    if (d.state === 'fault') notReady.push(label);
    if (d.state === 'disconnected' || d.state === 'absent') gone.push(label);
    const exp = (d as { certExpiresAt?: unknown }).certExpiresAt;
    if (typeof exp === 'number' && exp - now < th.certificateDays * DAY) {
      expiring = `${name} certificate ${exp <= now ? 'expired' : 'expires'} ${new Date(exp).toISOString().slice(0, 10)}`;
    }
  }
  if (notReady.length) out.push({ kind: 'reader-not-ready', severity: 'critical', detail: notReady.join('; ').slice(0, 200) });
  if (gone.length) out.push({ kind: 'reader-gone', severity: 'critical', detail: gone.join('; ').slice(0, 200) });
  if (expiring) out.push({ kind: 'certificate-expiring', severity: 'warning', detail: expiring });
}

function money(k: KioskRecord, th: AlertThresholds, out: ActiveAlert[]): void {
  const inact = k.state?.inactivity;
  if (inact) {
    const when = `breach on ${inact.breachOn}${inact.estimated ? ' (estimated)' : ''}`;
    if (inact.days >= th.inactivityBreachDays) {
      out.push({ kind: 'inactivity-breach', severity: 'critical', detail: `${inact.days} days without a transaction` });
    } else if (inact.days >= th.inactivityWarnDays) {
      out.push({ kind: 'inactivity-warning', severity: 'warning', detail: `${inact.days} days without a transaction; ${when}` });
    }
  }
  const w = k.state?.wallet;
  if (w) {
    const min = th.walletMinimumPaise ?? w.minimumPaise;
    if (w.balancePaise < min || (th.walletMinimumPaise === undefined && w.belowMinimum)) {
      out.push({ kind: 'wallet-below-minimum', severity: 'warning', detail: `Rs ${(w.balancePaise / 100).toFixed(2)} < Rs ${(min / 100).toFixed(2)}` });
    }
  }
}

function captures(k: KioskRecord, events: readonly StoredEvent[], now: number, th: AlertThresholds, out: ActiveAlert[]): void {
  const section = (k.state as Record<string, unknown> | null)?.captures as Record<string, unknown> | undefined;
  const queued = typeof section?.queued === 'number' ? section.queued : 0;
  if (queued >= th.captureBacklog) out.push({ kind: 'capture-backlog', severity: 'warning', detail: `${queued} captures queued` });
  const since = now - th.capturesExpiredWindowHours * 3_600_000;
  // Both reasons count: `unsent` (absent in events of older agents) and `unanswered` (sent, no
  // result from central within the time to live); either way the citizen's e-KYC did not complete.
  let unsent = 0;
  let unanswered = 0;
  for (const e of events) {
    if (e.type !== 'capture.expired' || e.receivedAt < since) continue;
    if (e.data['reason'] === 'unanswered') unanswered++;
    else unsent++;
  }
  const expired = unsent + unanswered;
  if (expired === 0) return;
  const n = `${expired} capture${expired === 1 ? '' : 's'} expired`;
  const detail = unanswered === 0 ? `${n} unsent` : unsent === 0 ? `${n} unanswered by central` : `${n}: ${unsent} unsent, ${unanswered} unanswered by central`;
  out.push({ kind: 'captures-expired', severity: 'critical', detail });
}

/** Every alert active for this kiosk now, in ALERT_KINDS order. */
export function evaluateAlerts(k: KioskRecord, events: readonly StoredEvent[], now: number, th: AlertThresholds = DEFAULT_THRESHOLDS): ActiveAlert[] {
  const out: ActiveAlert[] = [];
  if (k.liveness === 'offline' && (k.reason !== 'shutdown' || th.shutdownIsOffline)) {
    out.push({ kind: 'offline', severity: k.reason === 'shutdown' ? 'warning' : 'critical', detail: k.reason });
  }
  power(k, th, out);
  printer(k, out);
  readers(k, now, th, out);
  money(k, th, out);
  captures(k, events, now, th, out);
  if (k.state && !k.state.clock.synced) out.push({ kind: 'clock-not-synced', severity: 'warning', detail: `clock source: ${k.state.clock.source}` });
  return out.sort((a, b) => ALERT_KINDS.indexOf(a.kind) - ALERT_KINDS.indexOf(b.kind));
}
