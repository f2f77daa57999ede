/** `make demo` as a new user sees it: three kiosks online within 10 s, its dashboard with the printed login, and a clean stop. */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, requireBuild, ROOT } from '../helpers/agent-process.js';

requireBuild();

async function dashboardLogin(base: string, password: string): Promise<{ login: number; kiosks: number; role: string }> {
  const res = await fetch(new URL('/api/login', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base.replace(/\/$/, '') },
    body: JSON.stringify({ username: 'ops', password }),
  });
  const { role } = (await res.json()) as { role: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  // The kiosks come online over the first seconds; ask until all three are there.
  let kiosks = 0;
  for (let i = 0; i < 40 && kiosks < 3; i++) {
    const list = (await (await fetch(new URL('/api/kiosks', base), { headers: { cookie } })).json()) as { kiosks?: unknown[] };
    kiosks = list.kiosks?.length ?? 0;
    if (kiosks < 3) await new Promise((r) => setTimeout(r, 250));
  }
  return { login: res.status, kiosks, role };
}

t.test('the demo shows three kiosks online within 10 s and stops cleanly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  const proc = spawn(process.execPath, [join(ROOT, 'dist/scripts/demo.js')], {
    env: childEnv({ DEMO_SECONDS: '13', DEMO_DIR: dir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // While it runs: log into its dashboard with the operator login from the banner.
  let dashboard: Promise<{ login: number; kiosks: number; role: string }> | undefined;
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /dashboard: (http:\S+) — log in as ops \/ (\S+) \(operator\), viewer \/ \S+ \(viewer\)/.exec(out);
    if (m && !dashboard) dashboard = dashboardLogin(m[1]!, m[2]!);
  });
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  t.equal(code, 0, 'exit 0');
  t.ok(dashboard, 'the banner names the dashboard and its logins');
  t.match(await dashboard, { login: 200, role: 'operator', kiosks: 3 }, 'the dashboard lets ops in and shows the three kiosks');
  const frames = out.split('kiosk-agent demo — ').slice(1);
  const firstAllOnline = frames.find((f) => /3 kiosks: 3 online, 0 offline/.test(f));
  t.ok(firstAllOnline, 'a frame with all three online');
  const secs = Number(/t\+(\d+)s/.exec(firstAllOnline ?? '')?.[1] ?? Infinity);
  t.ok(secs <= 10, `all three online at t+${secs}s`);
  for (const id of ['RJ-JAI-0001', 'RJ-UDR-0002', 'MP-BPL-0003']) t.match(firstAllOnline, new RegExp(`${id}\\s+\\S+\\s+.*online`));
  t.match(out, /stopping the kiosks…[\s\S]*demo stopped\./);
  const last = frames.at(-1) ?? '';
  t.match(last, /3 kiosks: 0 online, 3 offline/, 'each kiosk said goodbye (offline: shutdown)');
  t.match(last, /offline\s+shutdown/);
  // The table clips the device column; the fleet's JSON has each kiosk's whole summary.
  const status = spawnSync(process.execPath, [join(ROOT, 'bin/kiosk-fleet'), 'status', '--db', join(dir, 'fleet.db'), '--json'], { env: childEnv(), encoding: 'utf8' });
  const rows = (JSON.parse(status.stdout) as { rows: { kiosk: string; devices: string }[] }).rows;
  for (const id of ['RJ-JAI-0001', 'RJ-UDR-0002', 'MP-BPL-0003']) {
    const devices = rows.find((r) => r.kiosk === id)?.devices ?? '';
    t.ok(/\bfingerprint:ok\b/.test(devices) && /\brdService:ok\b/.test(devices), `${id}: both simulated readers ok (${devices})`);
  }
  // Each kiosk printed its test page to its simulated printer, which kept it as a PNG.
  for (const id of ['RJ-JAI-0001', 'RJ-UDR-0002', 'MP-BPL-0003']) {
    const pngs = existsSync(join(dir, id, 'receipts')) ? readdirSync(join(dir, id, 'receipts')).filter((f) => f.endsWith('.png')) : [];
    t.ok(pngs.length >= 1, `${id}: the printed page kept as a PNG`);
  }
});
