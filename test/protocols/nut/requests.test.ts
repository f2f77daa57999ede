/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import {
  getVar, instcmd, isNutError, isNutUnreachable, listCmd, listUps, listVar, login, logout, netver, NutError, NutLocalCode, password,
  ReplyCollector, setVar, username, type Decoded, type NutRequest,
} from '../../../protocols/nut/index.js';

function feed<T>(req: NutRequest<T>, lines: string[]): Decoded<T> | undefined {
  const c = new ReplyCollector(req);
  let r: Decoded<T> | undefined;
  for (const l of lines) {
    r = c.push(l);
    if (r) break;
  }
  return r;
}

t.test('request lines', async (t) => {
  t.equal(listUps().line, 'LIST UPS');
  t.equal(listVar('dummy').line, 'LIST VAR dummy');
  t.equal(getVar('dummy', 'ups.status').line, 'GET VAR dummy ups.status');
  t.equal(listCmd('dummy').line, 'LIST CMD dummy');
  t.equal(instcmd('dummy', 'test.battery.start').line, 'INSTCMD dummy test.battery.start');
  t.equal(instcmd('dummy', 'load.off.delay', '120').line, 'INSTCMD dummy load.off.delay 120');
  t.equal(username('admin').line, 'USERNAME admin');
  t.equal(setVar('dummy', 'ups.status', 'OB DISCHRG').line, 'SET VAR dummy ups.status "OB DISCHRG"');
  t.equal(setVar('dummy', 'battery.charge', '10').line, 'SET VAR dummy battery.charge 10');
  t.equal(password('p@ss word"').line, 'PASSWORD "p@ss word\\""');
  t.equal(login('dummy').line, 'LOGIN dummy');
  t.equal(logout().line, 'LOGOUT');
  t.equal(netver().line, 'NETVER');
  for (const bad of [() => getVar('a\nLOGOUT', 'x'), () => username(''), () => password('a\rb')]) {
    try {
      bad();
      t.fail('should refuse');
    } catch (e) {
      t.ok(isNutError(e) && e.code === NutLocalCode.BadRequest);
    }
  }
});

t.test('LIST replies (lines as Debian 12 upsd sends them)', async (t) => {
  const ups = feed(listUps(), ['BEGIN LIST UPS', 'UPS dummy "Simulated kiosk UPS"', 'UPS seq "Outage sequence"', 'END LIST UPS']);
  t.same(ups, { ok: true, value: [{ name: 'dummy', description: 'Simulated kiosk UPS' }, { name: 'seq', description: 'Outage sequence' }] });
  const vars = feed(listVar('dummy'), ['BEGIN LIST VAR dummy', 'VAR dummy battery.charge "100"', 'VAR dummy ups.status "OB DISCHRG"', 'END LIST VAR dummy']);
  t.ok(vars?.ok);
  if (vars?.ok) t.same([...vars.value], [['battery.charge', '100'], ['ups.status', 'OB DISCHRG']]);
  const empty = feed(listCmd('dummy'), ['BEGIN LIST CMD dummy', 'END LIST CMD dummy']);
  t.same(empty, { ok: true, value: [] });
  const cmds = feed(listCmd('dummy'), ['BEGIN LIST CMD dummy', 'CMD dummy load.off', 'CMD dummy load.on', 'END LIST CMD dummy']);
  t.same(cmds, { ok: true, value: ['load.off', 'load.on'] });
  const c = new ReplyCollector(listVar('dummy'));
  t.equal(c.push('BEGIN LIST VAR dummy'), undefined, 'incomplete until END');
  t.equal(c.push('VAR dummy a "1"'), undefined);
});

t.test('single replies', async (t) => {
  t.same(feed(getVar('dummy', 'ups.status'), ['VAR dummy ups.status "OL"']), { ok: true, value: 'OL' });
  t.same(feed(instcmd('dummy', 'load.off'), ['OK']), { ok: true, value: {} });
  t.same(feed(instcmd('dummy', 'load.off'), ['OK TRACKING 1bd31808-cb49-4aec-9d75-d056e6f018d2']), { ok: true, value: { tracking: '1bd31808-cb49-4aec-9d75-d056e6f018d2' } });
  t.same(feed(setVar('dummy', 'ups.status', 'OB'), ['OK']), { ok: true, value: {} });
  t.same(feed(logout(), ['OK Goodbye']), { ok: true, value: 'OK Goodbye' });
  t.same(feed(netver(), ['1.3']), { ok: true, value: '1.3' });
});

t.test('ERR replies become typed errors', async (t) => {
  const cases: [NutRequest<unknown>, string, string, string | undefined][] = [
    [getVar('nope', 'ups.status'), 'ERR UNKNOWN-UPS', 'UNKNOWN-UPS', undefined],
    [getVar('dummy', 'ups.status'), 'ERR DRIVER-NOT-CONNECTED', 'DRIVER-NOT-CONNECTED', undefined],
    [listVar('dummy'), 'ERR DATA-STALE', 'DATA-STALE', undefined],
    [instcmd('dummy', 'load.off'), 'ERR USERNAME-REQUIRED', 'USERNAME-REQUIRED', undefined],
    [login('dummy'), 'ERR ALREADY-LOGGED-IN', 'ALREADY-LOGGED-IN', undefined],
    [getVar('dummy', 'x'), 'ERR VAR-NOT-SUPPORTED extra words', 'VAR-NOT-SUPPORTED', 'extra words'],
    [getVar('dummy', 'x'), 'ERR SOMETHING-NEW', NutLocalCode.UnknownErr, undefined],
    [getVar('dummy', 'x'), 'ERR', NutLocalCode.UnknownErr, undefined],
  ];
  for (const [req, line, code, extra] of cases) {
    const r = feed(req, [line]);
    t.ok(r && !r.ok, line);
    if (r && !r.ok) {
      t.equal(r.error.code, code, line);
      t.equal(r.error.context.extra, extra);
      t.equal(r.error.context.request, req.line);
      t.ok(r.error instanceof NutError);
    }
  }
  const stale = feed(getVar('dummy', 'x'), ['ERR DATA-STALE']);
  t.ok(stale && !stale.ok && isNutUnreachable(stale.error));
  const denied = feed(getVar('dummy', 'x'), ['ERR ACCESS-DENIED']);
  t.ok(denied && !denied.ok && !isNutUnreachable(denied.error));
  t.notOk(isNutUnreachable(new Error('x')));
});

t.test('replies that break the protocol are protocol errors, never throws', async (t) => {
  const cases: [NutRequest<unknown>, string[]][] = [
    [listUps(), ['UPS dummy "x"']],
    [listVar('dummy'), ['BEGIN LIST VAR other']],
    [listVar('dummy'), ['BEGIN LIST VAR dummy', 'VAR other x "1"', 'END LIST VAR dummy']],
    [listVar('dummy'), ['BEGIN LIST VAR dummy', 'VAR dummy x "unterminated', 'END LIST VAR dummy']],
    [listUps(), ['BEGIN LIST UPS', 'UPS onlyname', 'END LIST UPS']],
    [getVar('dummy', 'ups.status'), ['VAR dummy battery.charge "1"']],
    [getVar('dummy', 'ups.status'), ['\x00\xff garbage']],
    [instcmd('dummy', 'load.off'), ['NOPE']],
    [username('x'), ['']],
  ];
  for (const [req, lines] of cases) {
    const r = feed(req, lines);
    t.ok(r && !r.ok && r.error.code === NutLocalCode.Protocol, `${req.line} ← ${JSON.stringify(lines)}`);
  }
});
