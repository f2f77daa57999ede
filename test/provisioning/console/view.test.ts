// The screens as a string grid, 80×25: every row exactly 80 columns in both languages, and what
// the operator must see (paper out, battery, the wallet and inactivity warnings, the spinner).
import t from 'tap';
import { view } from '../../../provisioning/console/view.js';
import { displayWidth } from '../../../provisioning/console/width.js';
import { Drive, INACTIVITY, PRINTER, STATUS, WALLET } from './drive.js';

function screen(d: Drive): string[] {
  const lines = view(d.s).lines();
  return lines;
}

function home(): Drive {
  const d = new Drive();
  d.login();
  d.answerRefresh({ status: STATUS, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  return d;
}

t.test('every screen is 25 rows of 80 columns, in English and in Hindi', (t) => {
  const d = home();
  const screens: [string, () => void][] = [
    ['home', () => undefined],
    ['capture', () => d.type('k123')],
    ['consent', () => d.type('456789\r')],
    ['service', () => (d.type('\x1bs'), d.ok('rates', { PAN: { officialPaise: 10700, commissionPaise: 1000, nameEn: 'PAN card', nameHi: 'पैन कार्ड' } }))],
    ['report', () => (d.type('\x1bd'), d.ok('report', { date: '2026-11-24', transactions: { success: 2, failed: 0 }, byService: [{ serviceCode: 'PAN', count: 2, chargedPaise: 21400, commissionPaise: 2000 }], totals: { chargedPaise: 21400, commissionPaise: 2000 }, wallet: { openingPaise: 0, closingPaise: 100 } }))],
  ];
  for (const [name, go] of screens) {
    go();
    for (const lang of ['en', 'hi'] as const) {
      d.s = { ...d.s, lang };
      const lines = screen(d);
      t.equal(lines.length, 25, `${name} ${lang}: 25 rows`);
      t.same(lines.map(displayWidth).filter((w) => w !== 80), [], `${name} ${lang}: every row 80 columns`);
    }
  }
  t.end();
});

t.test('the home screen: devices, wallet against its minimum, the countdown to day 30, the actions', (t) => {
  const d = home();
  const s = screen(d).join('\n');
  t.match(s, /Reader\s+RD ok;\s+R30x ok/);
  t.match(s, /Printer\s+PAPER OUT, cover closed, 1 receipts waiting/);
  t.match(s, /UPS\s+ON BATTERY · 62 %/);
  // The kiosk-wide capture queue from the agent, and this session's captures under it.
  t.match(s, /Capture queue\s+4 queued, 2 sent and waiting for central/);
  t.match(s, /Today\s+7 accepted, 1 rejected\s*\n/);
  t.match(s, /This session\s+none taken in this session/);
  t.match(s, /Link\s+connected/);
  t.match(s, /Queue for central\s+3/);
  t.match(s, /Wallet\s+Rs 12,000\.00 {2}\(minimum Rs 20,000\.00\)/);
  t.match(s, /The e-wallet is below its minimum/);
  t.match(s, /26 days since the last transaction; day 30 in 4 days/);
  t.match(s, /No transaction for 26 days/);
  t.match(s, /1 K {2}New e-KYC capture/);
  t.notMatch(s, /Record a wallet top-up/, 'no admin actions for an operator');
  t.match(s, /asha \(operator\)/);
  t.match(s, /MP-IND-0011 Samagra Kendra/);
  d.s = { ...d.s, lang: 'hi' };
  const h = screen(d).join('\n');
  for (const label of ['रीडर', 'कागज़ खत्म', 'बैटरी पर', 'बैटरी पर · बैटरी 62 %', 'कैप्चर कतार', '4 कतार में, 2 भेजे गए', 'आज', '7 स्वीकृत, 1 अस्वीकृत', 'वॉलेट', 'रु 12,000.00', 'न्यूनतम', 'अंतिम लेनदेन को 26 दिन', 'ई-वॉलेट न्यूनतम से कम है', 'नया ई-केवाईसी कैप्चर', 'ऑपरेटर']) t.ok(h.includes(label), `Hindi: ${label}`);
  t.end();
});

t.test('the admin sees the admin actions; warnings from day 25 even without the agent saying so', (t) => {
  const d = new Drive();
  d.login('ravi', 'admin');
  d.answerRefresh({ status: STATUS, wallet: { ...WALLET, belowMinimum: false, warning: undefined, balancePaise: 25_000_00 }, inactivity: { ...INACTIVITY, days: 25, warning: undefined }, printer: PRINTER });
  const s = screen(d).join('\n');
  for (const a of ['Record a wallet top-up', 'Printer test page', 'Self-test']) t.match(s, a);
  t.match(s, /WARNING: make a transaction before day 30/);
  t.notMatch(s, /below/i, 'no wallet warning above the minimum');
  t.end();
});

t.test('login screen: the PIN is never shown; the fingerprint offer only when offered', (t) => {
  const d = new Drive();
  d.type('asha\r4821');
  let s = screen(d).join('\n');
  t.match(s, /PIN\s+\*{4}_/);
  t.notMatch(s, /4821/);
  t.notMatch(s, /F3/);
  d.s = { ...d.s, fingerprint: 'offered' };
  s = screen(d).join('\n');
  t.match(s, /F3: log in with your fingerprint/);
  t.end();
});

t.test('the spinner while waiting, with the elapsed time and the deadline', (t) => {
  const d = home();
  d.type('s');
  d.now += 3000;
  d.s = { ...d.s, now: d.now };
  const rows = screen(d);
  t.match(rows[23], /[|/\\-] Service transaction … 3 s \/ 8 s/);
  t.match(rows[24], /Esc stop waiting/);
  t.end();
});

t.test('an agent that stops answering: the last values stay, the failure is said in red', (t) => {
  const d = new Drive();
  d.login();
  d.fail('status', { status: 0, text: { en: 'The agent is not running (no local API)', hi: 'एजेंट नहीं चल रहा (लोकल API नहीं)' } });
  let rows = screen(d);
  t.match(rows[21], /the agent does not answer: The agent is not running/);
  t.match(rows[2], /Reader/, 'the device rows stay where they are');
  d.answerRefresh({ wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  d.tick(5000);
  d.answerRefresh({ status: STATUS, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  d.tick(5000);
  d.fail('status', { status: 0, text: { en: 'No answer within 8 s: Please wait. Try again, or check the device.', hi: '8 सेकंड में उत्तर नहीं' } });
  rows = screen(d);
  t.match(rows[21], /No answer within 8 s/);
  t.match(rows[5], /Link\s+connected/, 'the last known values are kept');
  t.end();
});

t.test('device states in words: a printer whose link is lost, a reader not found', (t) => {
  const d = new Drive();
  d.login();
  d.answerRefresh({
    status: { ...STATUS, devices: { rdService: { state: 'absent', detail: 'no RD service on 11100-11120' } } },
    wallet: WALLET,
    inactivity: INACTIVITY,
    printer: { ...PRINTER, health: { state: 'disconnected', detail: 'link lost', paper: 'unknown' }, status: {} },
  });
  let s = screen(d).join('\n');
  t.match(s, /Reader\s+RD NOT FOUND \(no RD service on 11100-11120\)/);
  t.match(s, /Printer\s+DISCONNECTED \(link lost\), paper unknown/);
  t.match(s, /UPS\s+not configured/);
  d.s = { ...d.s, lang: 'hi' };
  s = screen(d).join('\n');
  t.match(s, /डिस्कनेक्ट \(link lost\)/);
  t.match(s, /RD नहीं मिला/);
  t.end();
});

t.test('the UPS on mains shows its charge; charging when the UPS says so', (t) => {
  const d = new Drive();
  d.login();
  const ups = { state: 'ok', line: 'mains', chargePct: 100 };
  d.answerRefresh({ status: { ...STATUS, devices: { ...STATUS.devices, ups } }, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  t.match(screen(d).join('\n'), /UPS\s+mains · 100 %\s/);
  d.tick(5000); // the next refresh
  d.answerRefresh({ status: { ...STATUS, devices: { ...STATUS.devices, ups: { ...ups, chargePct: 64, charging: true } } }, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  const s = screen(d).join('\n');
  t.match(s, /UPS\s+mains · 64 % charging/);
  d.s = { ...d.s, lang: 'hi' };
  t.ok(screen(d).join('\n').includes('बिजली चालू · बैटरी 64 % चार्ज हो रहा है'), 'Hindi: mains, charge, charging');
  t.end();
});

t.test('the capture queue: duplicates and expiries of today when there are any; the old line without the section', (t) => {
  const d = new Drive();
  d.login();
  const ekyc = { ...STATUS.ekyc, today: { since: 0, accepted: 2, rejected: 0, duplicate: 1, expired: 2 } };
  d.answerRefresh({ status: { ...STATUS, ekyc }, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  t.match(screen(d).join('\n'), /Today\s+2 accepted, 0 rejected, 1 duplicate, 2 expired/);
  const { ekyc: _none, ...older } = STATUS;
  d.tick(5000);
  d.answerRefresh({ status: older, wallet: WALLET, inactivity: INACTIVITY, printer: PRINTER });
  const s = screen(d).join('\n');
  t.notMatch(s, /Capture queue/, 'an agent without the section: no kiosk-wide line');
  t.match(s, /Captures\s+none taken in this session/);
  t.end();
});
