// Every console label in both languages; money in integer paise, shown in rupees.
import t from 'tap';
import { both, captureState, LABELS, money, parseRupees, stateExplainsReason, t as tr } from '../../../provisioning/console/i18n.js';

t.test('every label has English and Hindi, and the Hindi is Devanagari', (t) => {
  for (const [key, text] of Object.entries(LABELS)) {
    t.ok(text.en.trim(), `${key} en`);
    t.ok(/[\u0900-\u097F]/.test(text.hi), `${key} hi is in Devanagari`);
    // The same placeholders in both, so neither language loses a figure.
    const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    t.same(vars(text.hi), vars(text.en), `${key} placeholders`);
  }
  t.end();
});

t.test('placeholders are filled', (t) => {
  t.equal(tr('en', 'daysSince', { days: 26, breach: 30, left: 4 }), '26 days since the last transaction; day 30 in 4 days');
  t.equal(both('locked', { sec: 300 }).hi, '300 सेकंड तक उपयोग न होने से बंद: फिर से लॉग इन करें');
  t.end();
});

t.test('money: integer paise, Indian digit grouping', (t) => {
  t.equal(money('en', 2_000_000), 'Rs 20,000.00');
  t.equal(money('en', 1_23_45_678_90), 'Rs 1,23,45,678.90');
  t.equal(money('hi', 1800), 'रु 18.00');
  t.equal(money('en', -505), '-Rs 5.05');
  t.equal(parseRupees('50'), 5000);
  t.equal(parseRupees('50.5'), 5050);
  t.equal(parseRupees('1,200.75'), 120075);
  t.equal(parseRupees('0.1'), 10);
  for (const bad of ['', '5.555', 'abc', '-5', '1e3']) t.equal(parseRupees(bad), undefined, `refused: ${bad}`);
  t.end();
});

t.test('an expired capture says why: not sent in time, or sent and not answered by central', (t) => {
  t.equal(captureState('en', 'expired', 'unanswered'), 'EXPIRED (sent; no answer from central in time)');
  t.match(captureState('hi', 'expired', 'unanswered'), /केंद्र/);
  t.equal(captureState('en', 'expired', 'unsent'), 'EXPIRED (not sent in time)');
  t.equal(captureState('en', 'expired'), 'EXPIRED (not sent in time)', 'an older agent gives no reason');
  t.equal(captureState('en', 'rejected', 'unanswered'), 'REJECTED', 'the reason words only an expiry');
  t.ok(stateExplainsReason('expired', 'unanswered'));
  t.notOk(stateExplainsReason('rejected', 'biometric mismatch'), 'a rejection keeps its reason line');
  t.end();
});
