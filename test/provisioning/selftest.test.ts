/**
 * selftest when things are wrong: every failure has a remedy, the exit code is non-zero, and
 * every check gives up within its deadline (no agent, a broker port that never answers).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../agent/config/load.js';
import { createCa, issueKeyAndCertificate } from '../../fleet/enrollment/ca.js';
import { isProvisioningCommand } from '../../provisioning/commands.js';
import { remedyIn } from '../../provisioning/messages.js';
import { renderChecks, selftest } from '../../provisioning/selftest.js';
import { devicesFromInventory } from '../../provisioning/suggest.js';
import { childEnv, requireBuild, ROOT } from '../helpers/agent-process.js';

const dir = mkdtempSync(join(tmpdir(), 'kst-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('failures come with remedies, bounded in time', async (t) => {
  // A broker that accepts TCP and never answers TLS.
  const sockets = new Set<Socket>();
  const mute = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    mute.close();
  });
  const port = (mute.address() as { port: number }).port;
  const ca = await createCa('CA');
  const other = await issueKeyAndCertificate(ca, { commonName: 'RJ-JAI-0999', usage: 'client' });
  const w = (n: string, s: string) => (writeFileSync(join(dir, n), s), join(dir, n));
  const config = {
    schemaVersion: 2,
    kiosk: { id: 'RJ-JAI-0001', district: 'Jaipur', lsp: 'LSP' },
    mqtt: { url: `mqtts://127.0.0.1:${port}`, tls: { ca: w('ca.pem', ca.certPem), cert: w('c.crt', other.pem), key: w('c.key', other.keyPem) } },
    store: { path: join(dir, 'agent.db') },
    api: { socket: join(dir, 'no-agent.sock') },
    devices: { printer: { transport: { type: 'tcp', host: '127.0.0.1', port: 1 } }, ups: { backend: 'nut' } },
  };
  const cfgPath = w('config.json', JSON.stringify(config));
  const { config: cfg } = parseConfig(JSON.stringify(config), cfgPath);
  const t0 = Date.now();
  const results = await selftest({ config: cfg, timeoutMs: 500 });
  t.ok(Date.now() - t0 < 5000, 'bounded');
  const byName = Object.fromEntries(results.map((r) => [r.name, r]));
  t.match(byName['certificate'], { verdict: 'fail', detail: 'issued to RJ-JAI-0999' });
  t.match(byName['mqtt identity'], { verdict: 'fail', detail: /within 500 ms|timeout/i });
  t.match(byName['agent'], { verdict: 'fail', remedy: /systemctl start kiosk-agent/ });
  t.match(byName['printer'], { verdict: 'fail', remedy: /cable/ });
  t.match(byName['ups'], { verdict: 'fail' });
  t.match(byName['fingerprint'], { verdict: 'skip' });
  for (const r of results) if (r.verdict === 'fail') t.ok(r.remedy, `${r.name} has a remedy`);
  t.match(renderChecks(results), /^FAIL {2}certificate/m);

  requireBuild();
  const p = spawn(process.execPath, [join(ROOT, 'bin/kioskctl'), 'selftest', '--config', cfgPath, '--timeout', '500', '--lang', 'hi'], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(p, 'exit')) as [number];
  t.equal(code, 1, 'non-zero exit on failure');
  t.match(out, /FAIL {2}agent/);
  t.match(err, /कुछ जाँच विफल/);
  t.match(out, /→ एजेंट चालू करें: systemctl start kiosk-agent/, 'remedies in Hindi');
  t.notMatch(out, /Provisioning receipt/, 'no receipt for a failed kiosk');
});

t.test('every remedy has its Hindi', (t) => {
  const src = readFileSync(join(ROOT, 'provisioning/selftest.ts'), 'utf8');
  const remedies = [...src.matchAll(/remedy: '([^']+)'/g), ...src.matchAll(/'(reconnect the reader[^']*|check the UPS[^']*)'/g)].map((m) => m[1]!);
  t.ok(remedies.length >= 15);
  for (const r of remedies) t.not(remedyIn('hi', r), r, r);
  t.end();
});

t.test('device sections suggested from discovery', (t) => {
  t.same(
    devicesFromInventory([
      { kind: 'fingerprint', via: 'serial', id: '/dev/serial/by-id/usb-1a86-fp', baudRate: 57600 },
      { kind: 'ups', via: 'serial', id: '/dev/ttyUSB1' },
      { kind: 'ups', via: 'nut', id: 'ups@127.0.0.1:3493' },
      { kind: 'printer', via: 'usb', id: '0416:5011' },
    ]),
    {
      fingerprint: { r30x: { path: '/dev/serial/by-id/usb-1a86-fp', baudRate: 57600 } },
      ups: { backend: 'nut', nut: { target: 'ups@127.0.0.1:3493' } },
      printer: { transport: { type: 'usb', vendorId: 0x0416, productId: 0x5011 } },
    },
  );
  t.same(devicesFromInventory([{ kind: 'ups', via: 'usb', id: '0665:5161' }]), { ups: { backend: 'megatec-hid', hid: { vendorId: 0x0665, productId: 0x5161 } } });
  t.end();
});

t.test('kioskctl hands these commands over wherever their options stand', (t) => {
  t.ok(isProvisioningCommand(['-c', '/etc/kiosk-agent/config.json', 'selftest']));
  t.ok(isProvisioningCommand(['--root', '/tmp/r', 'provision', '--answers', 'a.json']));
  t.ok(isProvisioningCommand(['discover', '--json']));
  t.notOk(isProvisioningCommand(['ups', 'status']));
  t.notOk(isProvisioningCommand(['--user', 'status', 'fingerprint', 'list']));
  t.notOk(isProvisioningCommand(['-c', 'status', 'queue']));
  t.end();
});
