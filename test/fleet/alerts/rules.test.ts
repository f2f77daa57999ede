import t from 'tap';
import { AlertThresholds, DEFAULT_THRESHOLDS, evaluateAlerts } from '../../../fleet/alerts/rules.js';
import { diffAlerts } from '../../../fleet/alerts/diff.js';
import type { StateMessage } from '../../../protocols/telemetry/index.js';
import { emptyKiosk, type KioskRecord, type StoredEvent } from '../../../fleet/store/repository.js';
import { state } from '../fixtures/helpers.js';

const NOW = 1_764_000_000_000;
const DAY = 86_400_000;

function kiosk(over: Record<string, unknown> = {}, k: Partial<KioskRecord> = {}): KioskRecord {
  return { ...emptyKiosk('RJ-JAI-0001'), liveness: 'online', reason: 'birth', state: state(1, over) as unknown as StateMessage, ...k };
}
const kinds = (k: KioskRecord, events: StoredEvent[] = [], th = DEFAULT_THRESHOLDS) =>
  evaluateAlerts(k, events, NOW, th).map((a) => `${a.kind}/${a.severity}: ${a.detail}`);
const okDevices = { devices: { reader: { state: 'ok' }, printer: { state: 'ok' } } };

t.test('a healthy kiosk has no alerts', (t) => {
  t.same(kinds(kiosk(okDevices)), []);
  t.same(kinds({ ...emptyKiosk('X-1') }), [], 'nothing known, nothing alerted');
  t.end();
});

t.test('offline by will, missed heartbeats or shutdown', (t) => {
  t.same(kinds(kiosk(okDevices, { liveness: 'offline', reason: 'will' })), ['offline/critical: will']);
  t.same(kinds(kiosk(okDevices, { liveness: 'offline', reason: 'missed-heartbeats' })), ['offline/critical: missed-heartbeats']);
  t.same(kinds(kiosk(okDevices, { liveness: 'offline', reason: 'shutdown' })), ['offline/warning: shutdown']);
  t.same(kinds(kiosk(okDevices, { liveness: 'offline', reason: 'shutdown' }), [], AlertThresholds.parse({ shutdownIsOffline: false })), []);
  t.end();
});

t.test('power: on battery, battery low by the UPS or by the threshold', (t) => {
  const ups = (u: Record<string, unknown>) => kiosk({ devices: { ...okDevices.devices, ups: u } });
  t.same(kinds(ups({ state: 'ok', line: 'mains' })), []);
  t.same(kinds(ups({ state: 'degraded', detail: 'on battery 62%', line: 'battery' })), ['on-battery/warning: on battery, 62%']);
  t.same(kinds(ups({ state: 'degraded', detail: 'on battery 25%', line: 'battery' })), ['on-battery/warning: on battery, 25%', 'battery-low/critical: battery 25%']);
  t.same(kinds(ups({ state: 'degraded', detail: 'on battery, low 41%' })), ['on-battery/warning: on battery, 41%', 'battery-low/critical: battery 41%'], 'LB from the UPS');
  t.same(kinds(ups({ state: 'degraded', detail: 'on battery 62%' }), [], AlertThresholds.parse({ batteryLowPct: 70 })).length, 2, 'threshold configurable');
  t.end();
});

t.test('printer: paper out, near end, cover open', (t) => {
  const prn = (p: Record<string, unknown>) => kiosk({ devices: { reader: { state: 'ok' }, printer: p } });
  t.same(kinds(prn({ state: 'fault', detail: 'paper out', paper: 'out' })), ['printer-paper-out/critical: paper out']);
  t.same(kinds(prn({ state: 'degraded', detail: 'paper near end', paper: 'near-end' })), ['printer-paper-near-end/warning: paper near end']);
  t.same(kinds(prn({ state: 'fault', detail: 'cover open', paper: 'near-end' })), ['printer-paper-near-end/warning: paper near end', 'printer-cover-open/critical: cover open']);
  t.end();
});

t.test('readers: not ready, gone, certificate close to expiry', (t) => {
  const dev = (d: Record<string, unknown>) => kiosk({ devices: { printer: { state: 'ok' }, ...d } });
  t.same(kinds(dev({ rdService: { state: 'fault', detail: 'NOTREADY' } })), ['reader-not-ready/critical: rdService: NOTREADY']);
  t.same(kinds(dev({ fingerprint: { state: 'disconnected', detail: 'unplugged; reconnecting', reader: 'r30x' } })), ['reader-gone/critical: fingerprint: unplugged; reconnecting']);
  t.same(kinds(dev({ fingerprint: { state: 'disabled', reader: 'r30x' } })), [], 'a disabled reader is no alert');
  t.same(kinds(dev({ rdService: { state: 'ok', certExpiresAt: NOW + 3 * DAY } })), ['certificate-expiring/warning: rdService certificate expires 2025-11-27']);
  t.same(kinds(dev({ rdService: { state: 'ok', certExpiresAt: NOW + 30 * DAY } })), []);
  t.end();
});

t.test('inactivity: warning from day 25, breach at 30; thresholds configurable', (t) => {
  const inact = (days: number) => kiosk({ ...okDevices, inactivity: { days, breachDay: 30, breachAtTs: NOW + (30 - days) * DAY, breachOn: '2025-11-30', estimated: false } });
  t.same(kinds(inact(24)), []);
  t.same(kinds(inact(25)), ['inactivity-warning/warning: 25 days without a transaction; breach on 2025-11-30']);
  t.same(kinds(inact(30)), ['inactivity-breach/critical: 30 days without a transaction']);
  t.same(kinds(inact(20), [], AlertThresholds.parse({ inactivityWarnDays: 20 })).length, 1);
  t.end();
});

t.test('wallet below the kiosk minimum or a fleet-wide one', (t) => {
  const wallet = (balancePaise: number, belowMinimum: boolean) => kiosk({ ...okDevices, wallet: { balancePaise, minimumPaise: 2_000_000, belowMinimum } });
  t.same(kinds(wallet(1_999_999, true)), ['wallet-below-minimum/warning: Rs 19999.99 < Rs 20000.00']);
  t.same(kinds(wallet(2_500_000, false)), []);
  t.same(kinds(wallet(2_500_000, false), [], AlertThresholds.parse({ walletMinimumPaise: 3_000_000 })), ['wallet-below-minimum/warning: Rs 25000.00 < Rs 30000.00']);
  t.end();
});

t.test('captures: backlog and recently expired; clock not synced', (t) => {
  t.same(kinds(kiosk({ ...okDevices, captures: { queued: 12, accepted: 40 } })), ['capture-backlog/warning: 12 captures queued']);
  t.same(kinds(kiosk({ ...okDevices, captures: { queued: 2 } })), []);
  const expired = (receivedAt: number): StoredEvent => ({ kioskId: 'RJ-JAI-0001', seq: 1, type: 'capture.expired', severity: 'warning', ts: 0, mono: 0, boot: 'b', synced: true, data: {}, receivedAt });
  t.same(kinds(kiosk(okDevices), [expired(NOW - DAY + 1), expired(NOW - 1)]), ['captures-expired/critical: 2 captures expired unsent']);
  t.same(kinds(kiosk(okDevices), [expired(NOW - DAY - 1)]), [], 'outside the window');
  const unanswered = (receivedAt: number): StoredEvent => ({ ...expired(receivedAt), data: { reason: 'unanswered' } });
  t.same(kinds(kiosk(okDevices), [unanswered(NOW - 1)]), ['captures-expired/critical: 1 capture expired unanswered by central']);
  t.same(
    kinds(kiosk(okDevices), [expired(NOW - 2), unanswered(NOW - 1), unanswered(NOW - 1), { ...expired(NOW - 3), data: { reason: 'unsent' } }]),
    ['captures-expired/critical: 4 captures expired: 2 unsent, 2 unanswered by central'],
    'both reasons count; an event without a reason is unsent',
  );
  t.same(kinds(kiosk(okDevices), [unanswered(NOW - DAY - 1)]), [], 'an unanswered one outside the window');
  t.same(kinds(kiosk({ ...okDevices, clock: { synced: false, source: 'assumed' } })), ['clock-not-synced/warning: clock source: assumed']);
  t.end();
});

t.test('diff: open, update, clear; unchanged stays quiet', (t) => {
  const open = [
    { kioskId: 'K', kind: 'offline', severity: 'critical' as const, detail: 'will', openedAt: 1, updatedAt: 1 },
    { kioskId: 'K', kind: 'clock-not-synced', severity: 'warning' as const, detail: 'x', openedAt: 2, updatedAt: 2 },
    { kioskId: 'K', kind: 'on-battery', severity: 'warning' as const, detail: 'on battery, 50%', openedAt: 3, updatedAt: 3 },
  ];
  const changes = diffAlerts('K', open, [
    { kind: 'offline', severity: 'critical', detail: 'will' },
    { kind: 'on-battery', severity: 'warning', detail: 'on battery, 40%' },
    { kind: 'printer-paper-out', severity: 'critical', detail: 'paper out' },
  ], 9);
  t.same(changes.map((c) => [c.kind, c.action, c.openedAt]), [['on-battery', 'update', 3], ['printer-paper-out', 'open', 9], ['clock-not-synced', 'clear', 2]]);
  t.end();
});
