/** The action screens of the console view (view.ts draws the frame, login and home). */
import type { Grid } from './grid.js';
import { captureState, money, stateExplainsReason, t, type LabelKey } from './i18n.js';
import type { State } from './model.js';
import { FINAL_CAPTURE_STATES } from './snapshot.js';
import { fit, truncate, wrap } from './width.js';

/** Draws the current action screen; returns the key help for the bottom row. */
export function drawFlow(g: Grid, s: State): LabelKey {
  const L = s.lang;
  const sc = s.screen;
  const w = g.cols - 8;
  switch (sc.kind) {
    case 'capture': {
      g.put(2, 4, t(L, 'actCapture'), 'key');
      g.put(4, 4, t(L, 'samagraId'));
      g.put(5, 4, fit(sc.samagra + (sc.step === 'id' ? '_' : ''), 12), sc.step === 'id' ? 'select' : 'normal');
      if (sc.step === 'id') return 'keysForm';
      if (sc.step === 'consent') {
        wrap(t(L, 'consentQ'), w).forEach((line, i) => g.put(7 + i, 4, line, 'warn'));
        return 'keysBack';
      }
      const c = s.captures.find((x) => x.id === sc.captureId);
      if (!c) return 'keysBack';
      g.put(7, 4, `${t(L, 'captureId')}: ${c.id}`);
      const final = FINAL_CAPTURE_STATES.has(c.state);
      const style = c.state === 'accepted' ? 'ok' : final ? 'error' : 'warn';
      const col = g.put(9, 4, `${t(L, 'state')}: `);
      g.put(9, col, truncate(captureState(L, c.state, c.reason), w), style);
      if ((c.reason || c.code) && !stateExplainsReason(c.state, c.reason)) g.put(10, 4, truncate(`${t(L, 'reason')}: ${[c.code, c.reason].filter(Boolean).join(' — ')}`, w), 'error');
      if (c.state === 'accepted') g.put(12, 4, truncate(t(L, c.receiptPrinted ? 'receiptPrinted' : 'receiptPending'), w), c.receiptPrinted ? 'ok' : 'warn');
      if (c.state === 'queued') wrap(t(L, 'captureOffline'), w).forEach((line, i) => g.put(12 + i, 4, line, 'dim'));
      return 'keysBack';
    }
    case 'service': {
      g.put(2, 4, t(L, 'actService'), 'key');
      if (sc.step === 'pick') {
        g.put(4, 4, t(L, 'rates'), 'dim');
        const top = Math.max(0, sc.sel - 14);
        sc.rates.slice(top, top + 15).forEach((r, i) => {
          const n = top + i;
          g.put(5 + i, 4, `${fit(`${r.code}  ${L === 'hi' ? r.nameHi : r.nameEn}`, 52)} ${fit(money(L, r.officialPaise), 16, 'right')}`, n === sc.sel ? 'select' : 'normal');
        });
        return 'keysList';
      }
      const r = sc.rates[sc.sel];
      if (r) g.put(4, 4, truncate(`${r.code}  ${L === 'hi' ? r.nameHi : r.nameEn}`, w));
      g.put(6, 4, truncate(t(L, 'amountRs', { rate: money(L, r?.officialPaise ?? 0) }), w));
      g.put(7, 4, fit(sc.amount + (sc.step === 'amount' ? '_' : ''), 14), sc.step === 'amount' ? 'select' : 'normal');
      if (sc.step === 'done' && sc.receiptNo) g.put(9, 4, t(L, 'recorded', { no: sc.receiptNo }), 'ok');
      return sc.step === 'done' ? 'keysBack' : 'keysForm';
    }
    case 'reprint': {
      g.put(2, 4, t(L, 'actReprint'), 'key');
      if (!sc.txns.length) g.put(4, 4, t(L, 'noTxns'), 'dim');
      const top = Math.max(0, sc.sel - 15);
      sc.txns.slice(top, top + 16).forEach((x, i) => {
        const line = `${fit(x.receiptNo, 24)} ${fit(x.serviceCode, 16)} ${fit(money(L, x.chargedPaise), 14, 'right')}  ×${x.prints}`;
        g.put(4 + i, 4, fit(line, w), top + i === sc.sel ? 'select' : 'normal');
      });
      return 'keysList';
    }
    case 'report':
      sc.lines.forEach((line, i) => g.put(i === 0 ? 2 : 3 + i, 4, truncate(line[L], w), i === 0 ? 'key' : 'normal'));
      return 'keysBack';
    case 'topup':
      g.put(2, 4, t(L, 'actTopup'), 'key');
      g.put(4, 4, t(L, 'topupAmount'));
      g.put(5, 4, fit(sc.amount + (sc.done ? '' : '_'), 14), sc.done ? 'normal' : 'select');
      return sc.done ? 'keysBack' : 'keysForm';
    case 'selftest':
      g.put(2, 4, t(L, 'selftestTitle'), 'key');
      sc.checks.slice(0, 18).forEach((c, i) => {
        const v = t(L, c.verdict);
        g.put(4 + i, 4, fit(v, 6), c.verdict === 'pass' ? 'ok' : c.verdict === 'fail' ? 'error' : 'dim');
        g.put(4 + i, 11, truncate(`${fit(c.name, 14)} ${c.detail}`, w - 7));
      });
      return 'keysBack';
    default:
      return 'keysBack';
  }
}

