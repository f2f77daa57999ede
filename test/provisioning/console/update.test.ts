// The console's state machine without a terminal: login, lock, idle lock, waits and timeouts,
// refresh, and each action's requests (a table of keys → requests → replies on a fake clock).
import t from 'tap';
import { Drive, INACTIVITY, PRINTER, STATUS, WALLET, wrongPin } from './drive.js';

t.test('PIN login: the PIN is sent once and never kept; a wrong PIN shows the agent message', (t) => {
  const d = new Drive();
  d.type('Asha\r48');
  t.match(d.s.screen, { kind: 'login', field: 'pin', user: 'asha', pin: '48' }, 'user lower-cased; Enter moves to the PIN');
  d.type('x21\r');
  const req = d.api('login');
  t.same(req.body, { user: 'asha', pin: '4821' }, 'letters never enter the PIN');
  t.match(d.s.screen, { kind: 'login', pin: '' }, 'the PIN leaves the state as it is sent');
  t.ok(d.s.busy, 'a spinner while the agent checks');
  d.type('99');
  t.match(d.s.screen, { pin: '' }, 'keys wait while busy');
  d.fail('login', wrongPin(2));
  t.equal(d.s.busy, undefined);
  t.match(d.s.notice, { level: 'error', text: { en: /2 attempts left/ } });
  d.type('4821\r');
  d.fail('login', { status: 423, text: { en: 'Too many wrong PINs: login locked: try again in 900 s', hi: 'बहुत अधिक गलत पिन: लॉगिन बंद: 900 सेकंड बाद पुनः प्रयास करें' } });
  t.match(d.s.notice, { text: { en: /try again in 900 s/ } }, 'the lock with its retry time');
  t.equal(d.s.session, undefined);
  t.end();
});

t.test('login → home; the refresh asks for status, wallet, inactivity and printer', (t) => {
  const d = new Drive();
  d.login();
  t.match(d.s, { session: { user: 'asha', role: 'operator' }, screen: { kind: 'home' } });
  for (const tag of ['status', 'wallet', 'inactivity', 'printer'] as const) t.ok(d.api(tag).background, `${tag} requested in the background`);
  d.answerRefresh({ status: STATUS, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  t.equal(d.s.pending, 0);
  t.match(d.s.snap, { link: 'up', queueDepth: 3, wallet: { belowMinimum: true }, inactivity: { days: 26 }, printer: { paper: 'out', coverOpen: false } });
  d.cmds = [];
  d.tick(1000);
  t.equal(d.cmds.length, 0, 'no refresh before refreshMs');
  d.tick(4000);
  t.equal(d.cmds.filter((c) => c.kind === 'api').length, 4, 'refreshed after 5 s');
  d.tick(5000);
  t.equal(d.cmds.filter((c) => c.kind === 'api').length, 4, 'no new refresh while one is outstanding (a slow agent does not pile up)');
  d.fail('status', { status: 0, text: { en: 'The agent is not running (no local API)', hi: 'एजेंट नहीं चल रहा (लोकल API नहीं)' } });
  t.match(d.s.snap.error, { en: /not running/ }, 'a failed refresh is shown, the last values kept');
  t.equal(d.s.snap.link, 'up');
  t.end();
});

t.test('idle lock: back to the login screen after idleLockSec without a key', (t) => {
  const d = new Drive({ idleLockSec: 60 });
  d.login();
  d.tick(59_000);
  t.ok(d.s.session, 'still in at 59 s');
  d.type('\x1b[B');
  d.tick(59_000);
  t.ok(d.s.session, 'a key restarts the count');
  d.tick(1000);
  t.equal(d.s.session, undefined, 'locked at 60 s');
  t.match(d.s, { screen: { kind: 'login', user: '', pin: '' }, snap: {}, captures: [], notice: { text: { en: /Locked after 60 s/ } } });
  t.ok(d.cmds.some((c) => c.kind === 'logout'), 'the token is given back');
  const never = new Drive({ idleLockSec: 0 });
  never.login();
  never.tick(86_400_000);
  t.ok(never.s.session, 'idleLockSec 0: never');
  t.end();
});

t.test('a slow agent: the spinner, Esc stops waiting, the late answer is ignored; the timeout backstop', (t) => {
  const d = new Drive();
  d.login();
  d.type('s');
  const rates = d.api('rates');
  t.match(d.s.busy, { tag: 'rates', timeoutMs: 8000 });
  d.type('\x1b');
  t.equal(d.s.busy, undefined);
  t.match(d.s.notice, { text: { en: 'Stopped waiting' } });
  d.ok('rates', { PAN: { officialPaise: 10700, commissionPaise: 1000, nameEn: 'PAN card', nameHi: 'पैन कार्ड' } });
  t.match(d.s.screen, { kind: 'home' }, 'the late answer changes nothing');
  t.ok(rates.timeoutMs > 0);
  d.type('d');
  t.ok(d.s.busy);
  d.tick(8000 + 2001);
  t.equal(d.s.busy, undefined, 'never frozen: the wait ends at its deadline');
  t.match(d.s.notice, { level: 'error', text: { en: /No answer within 8 s: Daily report/, hi: /8 सेकंड में उत्तर नहीं: दैनिक रिपोर्ट/ } });
  t.end();
});

t.test('fingerprint login: offered when the R30x is ready, hidden when the route is absent', (t) => {
  const d = new Drive();
  d.tick(0);
  d.ok('fp-status', STATUS);
  d.fail('fp-probe', { status: 401, text: { en: 'Log in first', hi: 'पहले लॉग इन करें' } });
  t.equal(d.s.fingerprint, 'offered', 'the public status shows the R30x ready');
  d.key({ kind: 'f', n: 3 });
  t.match(d.api('login-fp'), { method: 'POST', path: '/v1/login/fingerprint', timeoutMs: 30_000 });
  d.fail('login-fp', { status: 401, text: { en: 'Fingerprint not recognised: 2 attempts left', hi: 'फिंगरप्रिंट पहचाना नहीं गया' } });
  t.match(d.s.notice, { text: { en: /not recognised/ } });
  d.key({ kind: 'f', n: 3 });
  d.ok('login-fp', { token: 't'.repeat(43), user: 'ravi', role: 'admin', expiresInSec: 900 });
  t.match(d.s.session, { user: 'ravi', role: 'admin' });

  const absent = new Drive();
  absent.tick(0);
  absent.ok('fp-status', { ...STATUS, devices: {} });
  absent.fail('fp-probe', { status: 404, text: { en: 'No such resource', hi: 'नहीं मिला' } });
  t.equal(absent.s.fingerprint, 'hidden');
  absent.cmds = [];
  absent.key({ kind: 'f', n: 3 });
  t.equal(absent.cmds.length, 0, 'F3 does nothing when hidden');
  const noRoute = new Drive();
  noRoute.s = { ...noRoute.s, fingerprint: 'offered' };
  noRoute.key({ kind: 'f', n: 3 });
  noRoute.fail('login-fp', { status: 404, text: { en: 'No such resource', hi: 'नहीं मिला' } });
  t.equal(noRoute.s.fingerprint, 'hidden', 'an agent without the route: hidden from then on');
  t.end();
});

t.test('e-KYC capture: the Samagra ID format, consent, the capture and its state', (t) => {
  const d = new Drive();
  d.login();
  d.answerRefresh({ status: STATUS, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  d.type('k12345678\r');
  t.match(d.s.notice, { text: { en: 'A Samagra member ID is 9 digits' } }, '8 digits (a family ID) refused');
  d.type('9a0\r');
  t.match(d.s.screen, { kind: 'capture', step: 'consent', samagra: '123456789' }, 'digits only, at most 9');
  d.type('n');
  t.match(d.s, { screen: { kind: 'home' }, notice: { text: { en: /No consent/ } } });
  d.answerRefresh({ status: STATUS, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  d.type('k123456789\rY');
  const take = d.api('capture-take');
  t.match(take.body, { samagraId: '123456789', consent: true, modality: 'fingerprint', service: 'EKYC', requestId: /^cap-/ });
  t.ok(take.timeoutMs >= 30_000, 'the RD capture gets its own, longer deadline');
  d.ok('capture-take', { id: 'c-1', state: 'queued', receiptPrinted: false, transactionRecorded: false });
  t.match(d.s.screen, { kind: 'capture', step: 'state', captureId: 'c-1' });
  d.cmds = [];
  d.tick(1000);
  t.match(d.api('capture-poll'), { path: '/v1/ekyc/captures/c-1' }, 'followed every second on its screen');
  t.notOk(d.cmds.some((c) => c.kind === 'api' && c.tag === 'wallet'), 'without the whole refresh');
  d.ok('capture-poll', { id: 'c-1', state: 'sent', receiptPrinted: false, transactionRecorded: false });
  d.tick(500);
  t.equal(d.cmds.length, 0, 'not before the second is up');
  d.tick(500);
  d.ok('capture-poll', { id: 'c-1', state: 'accepted', receiptPrinted: true, transactionRecorded: true });
  t.match(d.s.captures, [{ id: 'c-1', state: 'accepted', samagraTail: '6789', receiptPrinted: true }]);
  d.type('r');
  d.ok('capture-reprint', { transactions: [{ txnId: 'T-9', receiptNo: 'R-9', serviceCode: 'EKYC', chargedPaise: 0, prints: 1, ref: 'c-1' }] });
  t.match(d.api('reprint'), { method: 'POST', path: '/v1/receipts/T-9/print' }, 'R reprints the capture receipt');
  d.ok('reprint', { txnId: 'T-9', receiptNo: 'R-9', duplicate: true, prints: 2, jobId: 'j' });
  t.match(d.s.notice, { text: { en: 'Receipt R-9 reprinted (DUPLICATE)' } });
  t.end();
});

t.test('service transaction: from the rate list, never above the official rate, then its receipt', (t) => {
  const d = new Drive();
  d.login();
  d.type('s');
  d.ok('rates', {
    EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'e-KYC', nameHi: 'ई-केवाईसी' },
    PAN: { officialPaise: 10700, commissionPaise: 1000, nameEn: 'PAN card', nameHi: 'पैन कार्ड' },
    BILL: { officialPaise: 2000, commissionPaise: 500, nameEn: 'Bill payment', nameHi: 'बिल भुगतान' },
  });
  t.match(d.s.screen, { kind: 'service', rates: [{ code: 'BILL' }, { code: 'PAN' }] }, 'e-KYC is taken on its own screen');
  d.type('\x1b[B\r');
  t.match(d.s.screen, { step: 'amount', amount: '107' }, 'the official rate is the default');
  d.type('\x7f\x7f\x7f200\r');
  t.match(d.s.notice, { text: { en: /Above the official rate/ } });
  d.type('\x7f\x7f\x7f100.50\r');
  const rec = d.api('txn-record');
  t.match(rec.body, { serviceCode: 'PAN', chargedPaise: 10050, status: 'success', idempotencyKey: /^txn-/ });
  d.ok('txn-record', { transaction: { txnId: 'T-1', receiptNo: 'R-1' }, balancePaise: 1, duplicate: false, wallet: { belowMinimum: true, warning: WALLET.warning } });
  t.match(d.api('receipt-print'), { path: '/v1/receipts/T-1/print' });
  t.match(d.s.notice, { level: 'warn', text: WALLET.warning }, 'the wallet warning after the sale');
  d.ok('receipt-print', { txnId: 'T-1', receiptNo: 'R-1', duplicate: false, prints: 1, jobId: 'j' });
  t.match(d.s, { screen: { step: 'done', receiptNo: 'R-1' }, notice: { text: { en: 'Receipt R-1 sent to the printer' } } });
  t.end();
});

t.test('admin actions are for the admin only', (t) => {
  const op = new Drive();
  op.login('asha', 'operator');
  op.cmds = [];
  op.type('w');
  op.type('p');
  op.type('t');
  t.equal(op.cmds.length, 0, 'an operator gets no top-up, printer test or self-test');
  const ad = new Drive();
  ad.login('ravi', 'admin');
  ad.type('w5000\r');
  t.match(ad.api('topup').body, { amountPaise: 5_000_00, idempotencyKey: /^top-/ });
  ad.ok('topup', { movementId: 1, amountPaise: 5_000_00, balancePaise: 25_000_00, duplicate: false });
  t.match(ad.s.notice, { text: { en: 'Top-up recorded: balance Rs 25,000.00', hi: 'रिचार्ज दर्ज: शेष रु 25,000.00' } });
  ad.type('\r');
  ad.type('p');
  t.match(ad.api('printer-test'), { method: 'POST', path: '/v1/printer/test', timeoutMs: 30_000 });
  ad.ok('printer-test', { ok: false, detail: 'paper out' });
  t.match(ad.s.notice, { level: 'error', text: { en: 'Test page failed: paper out' } });
  ad.type('t');
  ad.ok('selftest', STATUS);
  t.match(ad.s.screen, { kind: 'selftest', checks: [{ name: 'agent', verdict: 'pass' }, { name: 'link', verdict: 'pass' }] });
  t.end();
});

t.test('an expired token sends the operator back to the login', (t) => {
  const d = new Drive();
  d.login();
  d.type('d');
  d.fail('report', { status: 401, text: { en: 'Log in first', hi: 'पहले लॉग इन करें' } });
  t.match(d.s, { screen: { kind: 'login' }, notice: { text: { en: 'Log in first' } } });
  t.equal(d.s.session, undefined);
  t.end();
});

t.test('F2 and L switch the language; L is a letter in the login fields', (t) => {
  const d = new Drive();
  d.key({ kind: 'f', n: 2 });
  t.equal(d.s.lang, 'hi');
  d.type('l');
  t.match(d.s, { lang: 'hi', screen: { user: 'l' } }, 'typed into the user field');
  d.type('\x1b');
  d.login();
  d.type('L');
  t.equal(d.s.lang, 'en');
  t.end();
});

t.test('no printer configured is shown as such, not as a failure', (t) => {
  const d = new Drive();
  d.login();
  d.fail('printer', {
    status: 503,
    text: { en: 'No receipt printer is configured', hi: 'कोई रसीद प्रिंटर कॉन्फ़िगर नहीं है' },
    problem: { type: 'urn:kiosk-agent:problem:printer-not-configured', title: 'No receipt printer is configured', status: 503 },
  });
  t.match(d.s.snap, { printer: { configured: false } });
  t.equal(d.s.snap.error, undefined);
  t.end();
});

t.test('on a Linux VT (no Devanagari) the console stays in English and says why', (t) => {
  const d = new Drive({ hindi: false, lang: 'hi' });
  t.equal(d.s.lang, 'en', '--lang hi cannot take effect on a VT');
  d.key({ kind: 'f', n: 2 });
  t.equal(d.s.lang, 'en');
  t.match(d.s.notice, { level: 'warn', text: { en: /needs kmscon/ } });
  t.end();
});
