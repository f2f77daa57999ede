import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOpsArgs } from '../../fleet/ops-options.js';
import { run } from '../../fleet/cli.js';
import { tempDir } from './fixtures/helpers.js';
import { Writable } from 'node:stream';

const args = (m: Record<string, string>) => (k: string) => m[k];

t.test('serve options of central operations', async (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'alerts.json');
  writeFileSync(good, JSON.stringify({ inactivityWarnDays: 20, walletMinimumPaise: 3_000_000 }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ inactivityWarnDays: -1 }));
  t.same(parseOpsArgs(args({})), { ok: true, operations: {} });
  t.match(parseOpsArgs(args({ 'alert-config': good })), { ok: true, operations: { thresholds: { inactivityWarnDays: 20, inactivityBreachDays: 30, walletMinimumPaise: 3_000_000 } } });
  t.match(parseOpsArgs(args({ 'alert-config': bad })), { ok: false, error: /inactivityWarnDays/ });
  t.match(parseOpsArgs(args({ 'alert-config': join(dir, 'none.json') })), { ok: false, error: /ENOENT/ });
  t.same(parseOpsArgs(args({ 'alert-webhook': 'https://ops.example/hook' }), { KIOSK_FLEET_WEBHOOK_TOKEN: 'tok' }), { ok: true, operations: { webhookUrl: 'https://ops.example/hook', webhookToken: 'tok' } });
  t.match(parseOpsArgs(args({ 'alert-webhook': 'ftp://x' })), { ok: false });
  t.same(parseOpsArgs(args({ 'http-port': '0' })), { ok: true, operations: {}, http: { host: '127.0.0.1', port: 0 } });
  t.match(parseOpsArgs(args({ 'http-port': '70000' })), { ok: false, error: /--http-port/ });
  t.same(
    parseOpsArgs(args({ 'http-port': '8080', 'http-secure-cookie': 'true', 'session-idle-min': '15', 'session-max-hours': '8' }), { KIOSK_FLEET_METRICS_TOKEN: 'scrape' }),
    { ok: true, operations: {}, http: { host: '127.0.0.1', port: 8080, secureCookie: true, metricsToken: 'scrape', access: { idleMs: 900_000, absoluteMs: 28_800_000 } } },
    'session lengths, the Secure cookie and the metrics token',
  );
  t.match(parseOpsArgs(args({ 'http-port': '0', 'session-idle-min': '0' })), { ok: false, error: /--session-idle-min must be 1-1440/ });
  t.match(parseOpsArgs(args({ 'http-port': '0', 'session-max-hours': 'x' })), { ok: false, error: /--session-max-hours must be 1-720/ });
  t.match(parseOpsArgs(args({ 'http-host': '0.0.0.0' })), { ok: false, error: /goes with --http-port/ });

  let err = '';
  const sink = new Writable({ write: (c: Buffer, _e, done) => ((err += c.toString()), done()) });
  const code = await run(['serve', '--db', join(dir, 'f.db'), '--alert-config', bad], { stdout: sink, stderr: sink });
  t.equal(code, 2, 'a bad option is a usage error');
  t.match(err, /kiosk-fleet: --alert-config .*inactivityWarnDays/);
});
