/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { LineSplitter, quote, tokenize } from '../../../protocols/nut/index.js';

t.test('tokenize: quotes, escapes, verbatim spaces', async (t) => {
  t.same(tokenize('VAR dummy ups.status "OL"'), ['VAR', 'dummy', 'ups.status', 'OL']);
  t.same(tokenize('VAR ups ups.firmware "295202G -302202G "'), ['VAR', 'ups', 'ups.firmware', '295202G -302202G '], 'trailing space kept (#2741)');
  t.same(tokenize('VAR u x "say \\"hi\\" \\\\ ok"'), ['VAR', 'u', 'x', 'say "hi" \\ ok']);
  t.same(tokenize('UPS dummy "Simulated kiosk UPS"'), ['UPS', 'dummy', 'Simulated kiosk UPS']);
  t.same(tokenize('VAR u x ""'), ['VAR', 'u', 'x', ''], 'empty value');
  t.same(tokenize('  BEGIN   LIST  UPS '), ['BEGIN', 'LIST', 'UPS']);
  t.same(tokenize(''), []);
  t.equal(tokenize('VAR u x "unterminated'), null);
  t.equal(tokenize('trailing \\'), null);
});

t.test('quote round-trips through tokenize', async (t) => {
  for (const w of ['ups.status', 'OB DISCHRG', 'a"b', 'back\\slash', 'x y "z" \\']) {
    const q = quote(w);
    t.ok(q !== null);
    t.same(tokenize(`SET VAR u v ${q}`)?.[4], w, w);
  }
  t.equal(quote('dummy'), 'dummy', 'bare word unquoted');
  t.equal(quote('a\nb'), null);
  t.equal(quote('a\rb'), null);
  t.equal(quote('a\x00b'), null);
});

t.test('LineSplitter: split chunks, two lines in one chunk, CR tolerated, overflow', async (t) => {
  const s = new LineSplitter(16);
  t.same(s.push('BEGIN LI'), []);
  t.same(s.push('ST UPS\nUPS a "b"\nEND'), ['BEGIN LIST UPS', 'UPS a "b"']);
  t.same(s.push(' LIST UPS\r\n'), ['END LIST UPS']);
  t.notOk(s.overflow);
  t.same(s.push('x'.repeat(40)), []);
  t.ok(s.overflow);
  s.reset();
  t.notOk(s.overflow);
  t.same(s.push('OK\n'), ['OK']);
});
