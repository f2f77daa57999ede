/**
 * The console's screens drawn into a Grid: a pure function of the state and the clock, so a test
 * reads the rows as `tmux capture-pane` would. Laid out for 80×25 (the Linux console's default),
 * every text cut to its column by display width (width.ts), Devanagari included.
 *
 *   row 0       title bar: kiosk, user, language, clock
 *   rows 2–22   the screen
 *   row 23      the spinner or the latest message
 *   row 24      the keys this screen takes
 */
import { Grid, type Style } from './grid.js';
import { captureState, healthState, money, t, type Lang, type LabelKey, type Text } from './i18n.js';
import type { State } from './model.js';
import { captureOpen, readers, upsView } from './snapshot.js';
import { homeItems } from './update.js';
import { drawFlow } from './view-screens.js';
import { displayWidth, fit, truncate } from './width.js';

const SPIN = ['|', '/', '-', '\\'];
const ACTION_LABEL: Record<string, LabelKey> = {
  capture: 'actCapture', service: 'actService', reprint: 'actReprint', report: 'actReport',
  topup: 'actTopup', 'printer-test': 'actPrinterTest', selftest: 'actSelftest', logout: 'actLogout',
};

export function view(s: State, cols = 80, rows = 25): Grid {
  const g = new Grid(cols, rows);
  const L = s.lang;
  titleBar(g, s);
  const sc = s.screen;
  let keys: LabelKey;
  if (sc.kind === 'login') {
    drawLogin(g, s);
    keys = 'keysLogin';
  } else if (sc.kind === 'home') {
    drawHome(g, s);
    keys = 'keysHome';
  } else {
    keys = drawFlow(g, s);
  }
  // Status line: the wait in progress, else the latest message.
  const status = rows - 2;
  if (s.busy) {
    const secs = Math.floor((s.now - s.busy.since) / 1000);
    const spin = SPIN[Math.floor((s.now - s.busy.since) / 250) % SPIN.length]!;
    g.fill(status, 'key');
    g.put(status, 1, truncate(`${spin} ${s.busy.label[L]} … ${secs} s / ${Math.round(s.busy.timeoutMs / 1000)} s`, cols - 2), 'key');
    keys = 'keysBusy';
  } else if (s.notice) {
    const style: Style = s.notice.level === 'error' ? 'error' : s.notice.level === 'warn' ? 'warn' : s.notice.level === 'ok' ? 'ok' : 'normal';
    g.fill(status, style);
    g.put(status, 1, truncate(s.notice.text[L], cols - 2), style);
  }
  g.fill(rows - 1, 'dim');
  g.put(rows - 1, 1, truncate(t(L, keys), cols - 2), 'dim');
  return g;
}

function titleBar(g: Grid, s: State): void {
  const L = s.lang;
  g.fill(0, 'title');
  const kiosk = s.snap.kiosk ? `${s.snap.kiosk.id}${s.snap.kiosk.name ? ` ${s.snap.kiosk.name}` : ''}` : '';
  const user = s.session ? `${s.session.user} (${t(L, s.session.role)})` : '';
  const clock = new Date(s.now + 5.5 * 3_600_000).toISOString().slice(11, 16); // IST, as receipts print it
  const right = truncate(`${user}  ${L === 'en' ? 'EN' : 'हिं'}  ${clock} `, 40);
  const rw = displayWidth(right);
  g.put(0, 1, truncate(`${t(L, 'appTitle')}  ${kiosk}`, g.cols - rw - 3), 'title');
  g.put(0, g.cols - rw, right, 'title');
}

function drawLogin(g: Grid, s: State): void {
  const sc = s.screen;
  if (sc.kind !== 'login') return;
  const L = s.lang;
  g.put(3, 4, t(L, 'loginTitle'), 'key');
  g.put(5, 4, fit(t(L, 'user'), 12));
  g.put(5, 17, fit(sc.user + (sc.field === 'user' ? '_' : ''), 30), sc.field === 'user' ? 'select' : 'normal');
  g.put(7, 4, fit(t(L, 'pin'), 12));
  g.put(7, 17, fit('*'.repeat(sc.pin.length) + (sc.field === 'pin' ? '_' : ''), 30), sc.field === 'pin' ? 'select' : 'normal');
  g.put(10, 4, truncate(t(L, 'loginHelp'), g.cols - 8), 'dim');
  if (s.fingerprint === 'offered') g.put(12, 4, truncate(t(L, 'fingerprintOffer'), g.cols - 8), 'key');
}

/** `label: value` on a row, the label in a fixed column so values line up. */
function field(g: Grid, row: number, label: string, value: string, style: Style = 'normal'): void {
  g.put(row, 2, fit(label, 18));
  g.put(row, 21, truncate(value, g.cols - 22), style);
}

function drawHome(g: Grid, s: State): void {
  const L = s.lang;
  const snap = s.snap;
  const tx = (x: Text | undefined) => (x ? x[L] : '');
  // Devices
  const rs = readers(snap.devices);
  const worst = rs.find((r) => r.health.state !== 'ok')?.health.state ?? rs[0]?.health.state;
  const readerText = rs.map((r) => `${r.name} ${health(L, r.health.state, r.health.state === 'ok' ? undefined : r.health.detail)}`).join(';  ');
  field(g, 2, t(L, 'reader'), rs.length ? readerText : snap.devices ? t(L, 'notConfigured') : '…', styleOf(worst));
  const p = snap.printer;
  if (p && p.configured) {
    const paper = p.paper === 'out' ? t(L, 'paperOut') : p.paper === 'near_end' ? t(L, 'paperNearEnd') : p.paper === 'ok' ? t(L, 'paperOk') : t(L, 'paperUnknown');
    const cover = p.coverOpen === true ? t(L, 'coverOpen') : p.coverOpen === false ? t(L, 'coverClosed') : '';
    const waiting = p.queued + p.uncertain > 0 ? t(L, 'receiptsWaiting', { n: p.queued + p.uncertain }) : '';
    const bad = p.paper === 'out' || p.coverOpen === true || (p.state !== undefined && p.state !== 'ok' && p.state !== 'degraded');
    // The state only when paper and cover do not already say why (e.g. link lost, cutter error).
    const explained = p.paper === 'out' || p.paper === 'near_end' || p.coverOpen === true || p.state === 'ok';
    const state = p.state && !explained ? health(L, p.state, p.detail) : '';
    field(g, 3, t(L, 'printer'), [state, paper, cover, waiting].filter(Boolean).join(', '), bad ? 'error' : p.paper === 'near_end' ? 'warn' : 'ok');
  } else field(g, 3, t(L, 'printer'), p ? t(L, 'notConfigured') : '…', 'dim');
  const upsH = snap.devices?.['ups'];
  if (upsH) {
    const u = upsView(upsH);
    const line = u.line === 'battery' || /battery/.test(upsH.detail ?? '') ? t(L, 'onBattery') : u.line === 'mains' || upsH.state === 'ok' ? t(L, 'mains') : health(L, upsH.state, upsH.detail);
    // The charge on mains too: how far the battery has recharged after an outage matters.
    const charge = u.chargePct !== undefined ? ` · ${t(L, 'charge', { pct: u.chargePct })}${u.charging ? ` ${t(L, 'charging')}` : ''}` : '';
    field(g, 4, t(L, 'ups'), line + charge, line === t(L, 'onBattery') ? 'warn' : styleOf(upsH.state));
  } else field(g, 4, t(L, 'ups'), snap.devices ? t(L, 'notConfigured') : '…', 'dim');
  const link = snap.link;
  field(g, 5, t(L, 'link'), link ? (link === 'up' ? t(L, 'linkUp') : t(L, 'linkDown', { state: link })) : '…', link === 'up' ? 'ok' : 'warn');
  field(g, 6, t(L, 'queue'), snap.queueDepth !== undefined ? String(snap.queueDepth) : '…');
  // Money and the inactivity rule (DESIGN §2)
  const w = snap.wallet;
  if (w) {
    field(g, 8, t(L, 'wallet'), `${money(L, w.balancePaise)}  (${t(L, 'minimum')} ${money(L, w.minimumPaise)})`, w.belowMinimum ? 'warn' : 'ok');
    if (w.belowMinimum) g.put(9, 21, truncate(w.warning ? w.warning[L] : t(L, 'belowMinimum'), g.cols - 22), 'warn');
  } else field(g, 8, t(L, 'wallet'), '…', 'dim');
  const ia = snap.inactivity;
  if (ia) {
    // The console warns from day 25 whatever the agent's warning days (issue 11).
    const warn = ia.warning !== undefined || ia.days >= 25;
    const left = Math.max(0, ia.breachDay - ia.days);
    field(g, 10, t(L, 'inactivity'), t(L, 'daysSince', { days: ia.days, breach: ia.breachDay, left }), warn ? 'warn' : 'normal');
    if (warn) g.put(11, 21, truncate(ia.warning ? ia.warning[L] : t(L, 'noTxnWarning', { breach: ia.breachDay }), g.cols - 22), 'warn');
  } else field(g, 10, t(L, 'inactivity'), '…', 'dim');
  // The kiosk-wide capture queue (from the agent), then the captures taken in this session
  const e = snap.ekyc;
  if (e) {
    field(g, 12, t(L, 'captureQueue'), t(L, 'ekycPending', { queued: e.queued, sent: e.sent }));
    const more = e.today.duplicate + e.today.expired > 0 ? t(L, 'ekycMore', e.today) : '';
    field(g, 13, t(L, 'today'), t(L, 'ekycToday', e.today) + more, e.today.expired > 0 ? 'warn' : 'normal');
  }
  const counts = new Map<string, number>();
  for (const c of s.captures) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  const open = s.captures.filter(captureOpen).length;
  const summary = s.captures.length ? [...counts].map(([st, n]) => `${n} ${captureState(L, st).split(' (')[0]!}`).join(', ') : t(L, 'capturesNone');
  field(g, e ? 14 : 12, t(L, e ? 'thisSession' : 'captures'), summary, open ? 'warn' : 'normal');
  // Actions
  g.put(15, 2, t(L, 'menu'), 'key');
  const sel = s.screen.kind === 'home' ? s.screen.sel : 0;
  homeItems(s).forEach((i, n) => {
    const row = 16 + (n % 4);
    const col = n < 4 ? 2 : 40;
    const text = fit(`${n + 1} ${i.letter}  ${t(L, ACTION_LABEL[i.action]!)}`, 36);
    g.put(row, col, text, n === sel ? 'select' : 'normal');
  });
  if (snap.at) g.put(20, 2, t(L, 'updated', { sec: Math.max(0, Math.round((s.now - snap.at) / 1000)) }), snap.error ? 'error' : 'dim');
  if (snap.error) g.put(21, 2, truncate(snap.at ? tx(snap.error) : `${t(L, 'notAnswering')}: ${tx(snap.error)}`, g.cols - 4), 'error');
}

function health(L: Lang, state: string, detail?: string): string {
  return `${healthState(L, state)}${detail ? ` (${detail})` : ''}`;
}

function styleOf(state: string | undefined): Style {
  if (state === 'ok') return 'ok';
  if (state === 'degraded') return 'warn';
  if (state === undefined || state === 'disabled') return 'dim';
  return 'error';
}
