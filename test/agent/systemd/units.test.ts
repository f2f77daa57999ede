import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { agentUnit, quoteWord } from '../../../agent/systemd/units.js';
import { hasAnalyze, verify } from './analyze.js';

const lines = (text: string) => text.split('\n');

t.test('the unit has the key lines', (t) => {
  const unit = agentUnit();
  const l = lines(unit);
  for (const want of [
    '[Unit]',
    '[Service]',
    '[Install]',
    'Type=notify',
    'NotifyAccess=all',
    'WatchdogSec=60',
    'Restart=always',
    'RestartSec=5',
    'ExecStart=/opt/kiosk-agent/bin/kiosk-agent --config /etc/kiosk-agent/config.json',
    'User=kiosk-agent',
    'Group=kiosk-agent',
    'SupplementaryGroups=dialout lp plugdev',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'StateDirectory=kiosk-agent',
    'WantedBy=multi-user.target',
  ]) {
    t.ok(l.includes(want), want);
  }
  // Nothing that would hide or filter /dev, or break group access to it.
  for (const banned of [/^PrivateDevices=yes/, /^DevicePolicy=/, /^DeviceAllow=/, /^ProtectClock=yes/, /^PrivateUsers=yes/, /^MemoryDenyWriteExecute=yes/, /^DynamicUser=yes/]) {
    t.notOk(l.some((x) => banned.test(x)), `no ${banned.source}`);
  }
  t.ok(unit.indexOf('[Unit]') < unit.indexOf('[Service]') && unit.indexOf('[Service]') < unit.indexOf('[Install]'));
  t.ok(unit.endsWith('\n'));
  t.end();
});

t.test('options: paths, account, groups, watchdog, environment', (t) => {
  const l = lines(
    agentUnit({
      execPath: '/srv/kiosk agent/bin/kiosk-agent',
      configPath: '/etc/kiosk-agent/100%.json',
      user: 'kiosk',
      group: 'kiosk',
      supplementaryGroups: ['dialout'],
      watchdogSec: 120,
      readWritePaths: ['/data/kiosk'],
      environment: { NODE_OPTIONS: '--max-old-space-size=96', PRICE: '$5' },
    }),
  );
  t.ok(l.includes('ExecStart="/srv/kiosk agent/bin/kiosk-agent" --config /etc/kiosk-agent/100%%.json'));
  t.ok(l.includes('User=kiosk'));
  t.ok(l.includes('SupplementaryGroups=dialout'));
  t.ok(l.includes('WatchdogSec=120'));
  t.ok(l.includes('ReadWritePaths=/data/kiosk'));
  t.ok(l.includes('Environment=NODE_OPTIONS=--max-old-space-size=96'));
  t.ok(l.includes('Environment=PRICE=$$5'));
  t.end();
});

t.test('bad input is refused rather than written into the unit', (t) => {
  t.throws(() => agentUnit({ user: 'root; rm -rf /' }), /user/);
  t.throws(() => agentUnit({ supplementaryGroups: ['Dial Out'] }), /supplementary group/);
  t.throws(() => agentUnit({ configPath: '/etc/x\nExecStartPre=/bin/evil' }), /line break/);
  t.throws(() => agentUnit({ environment: { 'A B': '1' } }), /environment/);
  t.throws(() => agentUnit({ watchdogSec: 0 }), /watchdogSec/);
  t.equal(quoteWord('plain'), 'plain');
  t.equal(quoteWord('a "b"'), '"a \\"b\\""');
  t.equal(quoteWord(''), '""');
  t.end();
});

t.test('systemd-analyze verify accepts the unit without a warning', { skip: hasAnalyze ? false : 'systemd-analyze not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kiosk-agent.service');
  // verify checks that ExecStart's program exists.
  writeFileSync(path, agentUnit({ execPath: '/bin/true' }));
  const r = await verify(path);
  t.equal(r.stderr.split('\n').filter((x) => x.includes('kiosk-agent.service')).join('\n'), '', 'no complaint about the unit');
  t.equal(r.code, 0);
});
