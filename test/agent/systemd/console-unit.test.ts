// kiosk-console.service (issue 11): the console on tty1 after the agent, in place of getty,
// restarted when it exits; checked line by line and by systemd-analyze verify where installed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { consoleUnit } from '../../../agent/systemd/console-unit.js';
import { hasAnalyze, verify } from './analyze.js';

const lines = (text: string) => text.split('\n');

/** `[Section]` → key → values, as systemd reads a unit (later lines add to a list). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let cur: Map<string, string[]> | undefined;
  for (const line of lines(text)) {
    if (!line.trim() || line.startsWith('#')) continue;
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) {
      cur = new Map();
      sections.set(head[1]!, cur);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !cur) throw new Error(`not a unit line: ${line}`);
    cur.set(kv[1]!, [...(cur.get(kv[1]!) ?? []), kv[2]!]);
  }
  return sections;
}

t.test('on a plain VT: after the agent, in place of getty@tty1, as the service account, English', (t) => {
  const u = parseUnit(consoleUnit());
  const unit = u.get('Unit')!;
  const svc = u.get('Service')!;
  t.same(unit.get('Wants'), ['kiosk-agent.service']);
  t.ok(unit.get('After')!.join(' ').split(' ').includes('kiosk-agent.service'), 'after the agent');
  t.ok(unit.get('After')!.join(' ').split(' ').includes('getty@tty1.service'), 'after a getty it stops');
  t.same(unit.get('Conflicts'), ['getty@tty1.service']);
  t.same(unit.get('StartLimitIntervalSec'), ['0'], 'never gives up restarting');
  t.same(svc.get('ExecStart'), ['/opt/kiosk-agent/bin/kioskctl console --config /etc/kiosk-agent/config.json --lang en'], 'the VT cannot draw Devanagari: English');
  for (const [k, v] of [
    ['User', 'kiosk-agent'],
    ['Group', 'kiosk-agent'],
    ['StandardInput', 'tty'],
    ['StandardOutput', 'tty'],
    ['StandardError', 'journal'],
    ['TTYPath', '/dev/tty1'],
    ['TTYReset', 'yes'],
    ['TTYVHangup', 'yes'],
    ['TTYVTDisallocate', 'yes'],
    ['Restart', 'always'],
    ['RestartSec', '2'],
    ['NoNewPrivileges', 'yes'],
    ['PrivateNetwork', 'yes'],
    ['RestrictAddressFamilies', 'AF_UNIX'],
  ]) t.same(svc.get(k!), [v], `${k}=${v}`);
  t.same(svc.get('Environment'), ['TERM=linux', 'LANG=C.UTF-8']);
  t.same(u.get('Install')!.get('WantedBy'), ['multi-user.target']);
  t.end();
});

t.test('under kmscon: kmscon owns the VT as root, the console runs through setpriv as the account, language from the configuration', (t) => {
  const u = parseUnit(consoleUnit({ terminal: 'kmscon', tty: 'tty2', user: 'kiosk', group: 'kiosk' }));
  const svc = u.get('Service')!;
  t.same(svc.get('ExecStart'), [
    '/usr/bin/kmscon --vt=tty2 --seats=seat0 --no-switchvt --font-engine=pango --login -- /usr/bin/setpriv --reuid=kiosk --regid=kiosk --init-groups --no-new-privs -- /opt/kiosk-agent/bin/kioskctl console --config /etc/kiosk-agent/config.json',
  ]);
  t.notOk(svc.has('User'), 'kmscon needs DRM and input devices');
  t.notOk(svc.has('StandardInput'), 'kmscon opens the VT itself');
  t.same(svc.get('TTYPath'), ['/dev/tty2']);
  t.same(u.get('Unit')!.get('Conflicts'), ['getty@tty2.service']);
  t.end();
});

t.test('bad input is refused rather than written into the unit', (t) => {
  t.throws(() => consoleUnit({ tty: 'ttyS0' }), /tty/);
  t.throws(() => consoleUnit({ user: 'root; rm' }), /user/);
  t.throws(() => consoleUnit({ configPath: '/etc/x\nExecStartPre=/bin/evil' }), /line break/);
  t.throws(() => consoleUnit({ terminal: 'fbterm' as never }), /terminal/);
  t.match(consoleUnit({ configPath: '/etc/kiosk agent/c.json' }), /--config "\/etc\/kiosk agent\/c.json"/);
  t.end();
});

t.test('systemd-analyze verify accepts both variants without a complaint', { skip: hasAnalyze ? false : 'systemd-analyze not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-console-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const terminal of ['vt', 'kmscon'] as const) {
    const path = join(dir, terminal, 'kiosk-console.service');
    mkdirSync(join(dir, terminal), { recursive: true });
    // verify checks that the programs exist.
    writeFileSync(path, consoleUnit({ terminal, kioskctlPath: '/bin/true', kmsconPath: '/bin/true', setprivPath: '/bin/true' }));
    const r = await verify(path);
    t.equal(r.stderr.split('\n').filter((x) => x.includes('kiosk-console.service')).join('\n'), '', `${terminal}: no complaint about the unit`);
    t.equal(r.code, 0, `${terminal}: verify passes`);
  }
});
