/**
 * The console's action screens: a new e-KYC capture, a service transaction from the rate list, a
 * receipt reprint, the daily report and, for the admin, a wallet top-up, the printer test page and
 * the self-test. Each is keys → requests → replies, like the rest of the state machine.
 */
import { both, money, parseRupees, type Text } from './i18n.js';
import type { Key } from './keys.js';
import type { Msg, Rate, Screen, State, TxnRow } from './model.js';
import { num, obj, str } from './read.js';
import { captureItem } from './snapshot.js';
import { selftestChecks } from './selftest.js';
import { lock, refresh, request, toggleLang, type Step } from './update.js';

export type Action = 'capture' | 'service' | 'reprint' | 'report' | 'topup' | 'printer-test' | 'selftest' | 'logout';
type Reply = Extract<Msg, { kind: 'reply' }>;

/** An idempotency key for one form: a retried request records once (ledger and capture routes). */
const formKey = (s: State, p: string) => `${p}-${s.now.toString(36)}-${s.nextId}`;
const home = (s: State, notice?: State['notice']): Step => {
  const { notice: _n, ...rest } = s;
  return refresh({ ...rest, screen: { kind: 'home', sel: s.screen.kind === 'home' ? s.screen.sel : 0 }, lastRefresh: 0, ...(notice ? { notice } : {}) });
};
const note = (s: State, level: NonNullable<State['notice']>['level'], text: Text): State => ({ ...s, notice: { level, text } });

export function startAction(s: State, a: Action): Step {
  const admin = s.session?.role === 'admin';
  switch (a) {
    case 'capture':
      return [{ ...s, screen: { kind: 'capture', step: 'id', samagra: '', requestId: formKey(s, 'cap') } }, []];
    case 'service':
      return request(s, 'rates', 'GET', '/v1/rates', { label: both('actService') });
    case 'reprint':
      return request(s, 'txns', 'GET', '/v1/transactions?limit=200', { label: both('actReprint') });
    case 'report':
      return request(s, 'report', 'GET', '/v1/reports/daily', { label: both('actReport') });
    case 'topup':
      return admin ? [{ ...s, screen: { kind: 'topup', amount: '', key: formKey(s, 'top'), done: false } }, []] : [note(s, 'warn', both('adminOnly')), []];
    case 'printer-test':
      return admin ? request(s, 'printer-test', 'POST', '/v1/printer/test', { timeoutMs: 30_000, label: both('actPrinterTest') }) : [note(s, 'warn', both('adminOnly')), []];
    case 'selftest':
      return admin ? request(s, 'selftest', 'GET', '/v1/status', { label: both('actSelftest') }) : [note(s, 'warn', both('adminOnly')), []];
    case 'logout':
      return lock(s, both('loggedOut'));
  }
}

export function flowKey(s: State, sc: Screen, key: Key): Step {
  if (key.kind === 'esc' && !(sc.kind === 'capture' && sc.step === 'state')) return home(s);
  switch (sc.kind) {
    case 'capture':
      return captureKey(s, sc, key);
    case 'service':
      return serviceKey(s, sc, key);
    case 'reprint':
      return reprintKey(s, sc, key);
    case 'topup':
      return topupKey(s, sc, key);
    case 'report':
    case 'selftest':
      return key.kind === 'enter' ? home(s) : langKey(s, key);
    default:
      return [s, []];
  }
}

/** `L` switches the language on screens without a text field. */
function langKey(s: State, key: Key): Step {
  return key.kind === 'char' && key.ch.toUpperCase() === 'L' ? toggleLang(s) : [s, []];
}

/** Edits a digits field: `allow` says which characters it takes, `max` its length. */
function edit(value: string, key: Key, allow: RegExp, max: number): string | undefined {
  if (key.kind === 'backspace') return value.slice(0, -1);
  if (key.kind === 'char' && allow.test(key.ch) && value.length < max) return value + key.ch;
  return undefined;
}

function captureKey(s: State, sc: Extract<Screen, { kind: 'capture' }>, key: Key): Step {
  if (sc.step === 'id') {
    const v = edit(sc.samagra, key, /^\d$/, 9);
    if (v !== undefined) return [{ ...s, screen: { ...sc, samagra: v } }, []];
    if (key.kind !== 'enter') return [s, []];
    // MP Samagra member ID: 9 digits (agent/ekyc/routes.ts SamagraId); the family ID has 8.
    if (!/^\d{9}$/.test(sc.samagra)) return [note(s, 'error', both('samagraInvalid')), []];
    const { notice: _n, ...rest } = s;
    return [{ ...rest, screen: { ...sc, step: 'consent' } }, []];
  }
  if (sc.step === 'consent') {
    const ch = key.kind === 'char' ? key.ch.toUpperCase() : '';
    if (ch === 'N') return home(s, { level: 'warn', text: both('consentNo') });
    if (ch !== 'Y' && ch !== 'H' /* हाँ */) return [s, []];
    const body = { samagraId: sc.samagra, consent: true, modality: 'fingerprint', service: 'EKYC', requestId: sc.requestId };
    // The RD service waits for the finger (its own capture timeout, 20 s by default), then seals.
    return request(s, 'capture-take', 'POST', '/v1/ekyc/captures', { body, timeoutMs: 45_000, label: both('capturing') });
  }
  if (key.kind === 'esc' || key.kind === 'enter') return home(s);
  if (key.kind === 'char' && key.ch.toUpperCase() === 'R' && sc.captureId) {
    return request(s, 'capture-reprint', 'GET', '/v1/transactions?limit=1000', { label: both('actReprint') });
  }
  return langKey(s, key);
}

function serviceKey(s: State, sc: Extract<Screen, { kind: 'service' }>, key: Key): Step {
  const rate = sc.rates[sc.sel];
  if (sc.step === 'pick') {
    const n = sc.rates.length;
    if (key.kind === 'up' && n) return [{ ...s, screen: { ...sc, sel: (sc.sel + n - 1) % n } }, []];
    if ((key.kind === 'down' || key.kind === 'tab') && n) return [{ ...s, screen: { ...sc, sel: (sc.sel + 1) % n } }, []];
    if (key.kind === 'enter' && rate) return [{ ...s, screen: { ...sc, step: 'amount', amount: rupees(rate.officialPaise) } }, []];
    return langKey(s, key);
  }
  if (sc.step === 'done') return key.kind === 'enter' ? home(s) : langKey(s, key);
  const v = edit(sc.amount, key, /^[\d.]$/, 12);
  if (v !== undefined) return [{ ...s, screen: { ...sc, amount: v } }, []];
  if (key.kind !== 'enter' || !rate) return [s, []];
  const paise = parseRupees(sc.amount);
  if (paise === undefined) return [note(s, 'error', both('amountInvalid')), []];
  // DESIGN §2: never above the official rate (the agent refuses it too; this says so at once).
  if (paise > rate.officialPaise) return [note(s, 'error', both('aboveRate')), []];
  const body = { idempotencyKey: sc.key, serviceCode: rate.code, chargedPaise: paise, status: 'success' };
  return request(s, 'txn-record', 'POST', '/v1/transactions', { body, label: both('actService') });
}

const rupees = (paise: number) => (paise % 100 === 0 ? String(paise / 100) : (paise / 100).toFixed(2));

function reprintKey(s: State, sc: Extract<Screen, { kind: 'reprint' }>, key: Key): Step {
  const n = sc.txns.length;
  if (key.kind === 'up' && n) return [{ ...s, screen: { ...sc, sel: (sc.sel + n - 1) % n } }, []];
  if ((key.kind === 'down' || key.kind === 'tab') && n) return [{ ...s, screen: { ...sc, sel: (sc.sel + 1) % n } }, []];
  const t = sc.txns[sc.sel];
  if (key.kind === 'enter' && t) return request(s, 'reprint', 'POST', `/v1/receipts/${encodeURIComponent(t.txnId)}/print`, { timeoutMs: 15_000, label: both('actReprint') });
  return langKey(s, key);
}

function topupKey(s: State, sc: Extract<Screen, { kind: 'topup' }>, key: Key): Step {
  if (sc.done) return key.kind === 'enter' ? home(s) : [s, []];
  const v = edit(sc.amount, key, /^[\d.]$/, 12);
  if (v !== undefined) return [{ ...s, screen: { ...sc, amount: v } }, []];
  if (key.kind !== 'enter') return [s, []];
  const paise = parseRupees(sc.amount);
  if (!paise) return [note(s, 'error', both('amountInvalid')), []];
  return request(s, 'topup', 'POST', '/v1/wallet/topups', { body: { idempotencyKey: sc.key, amountPaise: paise }, label: both('actTopup') });
}

// ---------------------------------------------------------------- replies

export function flowReply(s: State, m: Reply): Step {
  if (!m.ok) return [note(s, 'error', m.error.text), []];
  const b = m.body;
  const sc = s.screen;
  switch (m.tag) {
    case 'capture-take': {
      if (sc.kind !== 'capture') return [s, []];
      const item = captureItem(b, sc.samagra.slice(-4));
      const captures = [item, ...s.captures.filter((c) => c.id !== item.id)].slice(0, 20);
      return [{ ...s, captures, screen: { ...sc, step: 'state', captureId: item.id }, lastPoll: 0 }, []];
    }
    case 'capture-reprint': {
      const id = sc.kind === 'capture' ? sc.captureId : undefined;
      const t = txnRows(b).find((x) => x.ref === id);
      if (!t) return [note(s, 'warn', both('receiptPending')), []];
      return request(s, 'reprint', 'POST', `/v1/receipts/${encodeURIComponent(t.txnId)}/print`, { timeoutMs: 15_000, label: both('actReprint') });
    }
    case 'rates': {
      const rates: Rate[] = Object.entries(b)
        .map(([code, r]) => ({ code, officialPaise: num(obj(r)['officialPaise']), nameEn: str(obj(r)['nameEn'], code), nameHi: str(obj(r)['nameHi'], code) }))
        // An e-KYC is taken through its own screen (a capture, not a counter transaction).
        .filter((r) => !/^EKYC/i.test(r.code))
        .sort((a, c) => a.code.localeCompare(c.code));
      return [{ ...s, screen: { kind: 'service', step: 'pick', rates, sel: 0, amount: '', key: formKey(s, 'txn') } }, []];
    }
    case 'txn-record': {
      const t = obj(b['transaction']);
      const no = str(t['receiptNo'], '?');
      const warning = obj(b['wallet'])['warning'] as Text | undefined;
      const next: State = { ...s, screen: sc.kind === 'service' ? { ...sc, step: 'done', receiptNo: no } : sc };
      const [after, cmds] = request(next, 'receipt-print', 'POST', `/v1/receipts/${encodeURIComponent(str(t['txnId']))}/print`, { timeoutMs: 15_000, label: both('printed', { no }) });
      return [warning ? note(after, 'warn', warning) : after, cmds];
    }
    case 'receipt-print':
    case 'reprint': {
      const no = str(b['receiptNo'], '?');
      const text = b['duplicate'] === true ? both('reprinted', { no }) : both('printed', { no });
      const next = sc.kind === 'reprint' ? { ...sc, txns: sc.txns.map((t) => (t.txnId === b['txnId'] ? { ...t, prints: num(b['prints'], t.prints + 1) } : t)) } : sc;
      return [{ ...s, screen: next, notice: { level: 'ok', text } }, []];
    }
    case 'txns': {
      const txns = txnRows(b).sort((a, c) => c.receiptNo.localeCompare(a.receiptNo));
      return [{ ...s, screen: { kind: 'reprint', txns, sel: 0 }, ...(txns.length ? {} : { notice: { level: 'info', text: both('noTxns') } }) }, []];
    }
    case 'report':
      return [{ ...s, screen: { kind: 'report', lines: reportLines(b) } }, []];
    case 'topup':
      return [{ ...s, screen: sc.kind === 'topup' ? { ...sc, done: true } : sc, notice: { level: 'ok', text: { en: both('topupDone', { bal: money('en', num(b['balancePaise'])) }).en, hi: both('topupDone', { bal: money('hi', num(b['balancePaise'])) }).hi } } }, []];
    case 'printer-test':
      return [note(s, b['ok'] === true ? 'ok' : 'error', b['ok'] === true ? both('testPrinted') : both('testFailed', { detail: str(b['detail'], '?') })), []];
    case 'selftest':
      return [{ ...s, screen: { kind: 'selftest', checks: selftestChecks(b) } }, []];
    default:
      return [s, []];
  }
}

function txnRows(b: Record<string, unknown>): TxnRow[] {
  const list = Array.isArray(b['transactions']) ? (b['transactions'] as unknown[]) : [];
  return list.map((x) => {
    const o = obj(x);
    return {
      txnId: str(o['txnId']), receiptNo: str(o['receiptNo']), serviceCode: str(o['serviceCode']),
      chargedPaise: num(o['chargedPaise']), prints: num(o['prints']), ...(typeof o['ref'] === 'string' ? { ref: o['ref'] } : {}),
    };
  });
}

function reportLines(b: Record<string, unknown>): Text[] {
  const tx = obj(b['transactions']);
  const totals = obj(b['totals']);
  const w = obj(b['wallet']);
  const m2 = (key: Parameters<typeof both>[0], vars: Record<string, number>, rest: Record<string, string | number> = {}): Text => {
    const conv = (lang: 'en' | 'hi') => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, money(lang, v)]));
    return { en: both(key, { ...rest, ...conv('en') }).en, hi: both(key, { ...rest, ...conv('hi') }).hi };
  };
  const lines: Text[] = [
    both('reportTitle', { date: str(b['date']) }),
    both('reportTxns', { ok: num(tx['success']), failed: num(tx['failed']) }),
    m2('reportTotals', { charged: num(totals['chargedPaise']), commission: num(totals['commissionPaise']) }),
    m2('reportWallet', { open: num(w['openingPaise']), close: num(w['closingPaise']) }),
  ];
  for (const r of Array.isArray(b['byService']) ? (b['byService'] as unknown[]) : []) {
    const o = obj(r);
    const line = (lang: 'en' | 'hi') => `  ${str(o['serviceCode'])}  × ${num(o['count'])}  ${money(lang, num(o['chargedPaise']))}  (${money(lang, num(o['commissionPaise']))})`;
    lines.push({ en: line('en'), hi: line('hi') });
  }
  return lines;
}
