// `kioskctl ups status`: the agent's view over a local API socket (a stand-in server answering
// GET /v1/status), a direct reading through a real upsd + dummy-ups, and the cases where no
// reading is taken or none comes.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentConfig, type AgentConfigInput } from '../../agent/config/schema.js';
import { upsCommand } from '../../provisioning/ups.js';
import { UpsdHarness, upsdInstalled, waitFor } from '../fixtures/ups/upsd.js';
import { childEnv, requireBuild, ROOT, spawnAgent, writeAgentConfig } from '../helpers/agent-process.js';
import { freePort } from '../helpers/ports.js';

const socketPath = (): string => join(mkdtempSync(join(tmpdir(), 'ku-')), 'api.sock');

function config(extra: Partial<AgentConfigInput>, socket = socketPath()) {
  return AgentConfig.parse({
    schemaVersion: 2,
    kiosk: { id: 'RJ-JAI-0050', district: 'Jaipur', lsp: 'Test LSP' },
    mqtt: { url: 'mqtt://127.0.0.1:1' },
    api: { socket },
    ...extra,
  });
}

async function run(cfg: ReturnType<typeof config>, json = false): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await upsCommand(['status'], { config: cfg, json, out: (s) => (out += s), err: (s) => (err += s), timeoutMs: 2000 });
  return { code, out, err };
}

/** A stand-in for the agent's local API: GET /v1/status with the given UPS entry. */
async function fakeAgent(socket: string, ups: Record<string, unknown>): Promise<Server> {
  const srv = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/v1/status' ? { devices: { ups } } : {}));
  });
  await new Promise<void>((resolve) => srv.listen(socket, resolve));
  return srv;
}

t.test('no UPS configured: said so, exit 78', async (t) => {
  const r = await run(config({}));
  t.equal(r.code, 78);
  t.match(r.out, /not configured/);
  t.same(JSON.parse((await run(config({}), true)).out), { configured: false });
});

t.test('Megatec unit held by a running agent: the agent view, no second reader', async (t) => {
  const socket = socketPath();
  const srv = await fakeAgent(socket, { state: 'degraded', detail: 'on battery 64%', backend: 'megatec-hid', line: 'battery' });
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  const cfg = config({ devices: { ups: { backend: 'megatec-hid' } } }, socket);
  const r = await run(cfg);
  t.equal(r.code, 0);
  t.match(r.out, /UPS back-end: megatec-hid \(0665:5161\), shutdown: systemctl poweroff/);
  t.match(r.out, /agent: degraded \(on battery 64%\), line battery/);
  t.match(r.out, /direct reading: skipped \(the agent holds the megatec-hid device\)/);
  const j = JSON.parse((await run(cfg, true)).out) as Record<string, unknown>;
  t.match(j, { configured: true, backend: 'megatec-hid', agent: { running: true, ups: { line: 'battery' } }, probe: null });
});

t.test('agent not running, simulated UPS: a direct reading of a fresh simulated unit', async (t) => {
  const r = await run(config({ simulate: { ups: {} } }));
  t.equal(r.code, 0);
  t.match(r.out, /agent: the agent is not running/);
  t.match(r.out, /UPS: on mains \[OL\] via megatec-hid/);
  t.match(r.out, /model: KIOSK SIM UPS LI-1100/);
  t.match(r.out, /battery: 100% \(estimated from voltage\)/);
});

t.test('nothing listening at the NUT target: not readable, exit 69', async (t) => {
  const port = await freePort();
  const r = await run(config({ devices: { ups: { nut: { target: `ups@127.0.0.1:${port}`, requestTimeoutMs: 300 } } } }));
  t.equal(r.code, 69);
  t.match(r.out, /UPS: not readable \(UPS_/);
});

if (!upsdInstalled()) {
  t.test('real upsd: nut-server not installed', { skip: true }, () => undefined);
} else {
  t.test('real upsd + dummy-ups: a direct reading next to the running agent', async (t) => {
    const h = new UpsdHarness();
    await h.setup();
    h.startDriver();
    h.startUpsd();
    t.teardown(() => h.teardown());
    h.set({ 'ups.status': 'OB DISCHRG', 'battery.charge': '64', 'battery.runtime': '540', 'input.voltage': '0.0' });
    const socket = socketPath();
    const srv = await fakeAgent(socket, { state: 'degraded', detail: 'on battery 64%', backend: 'nut', line: 'battery' });
    t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
    const cfg = config({ devices: { ups: { nut: { target: `dummy@127.0.0.1:${h.port}` } } } }, socket);
    const r = await waitFor(async () => {
      const x = await run(cfg);
      return /ON BATTERY/.test(x.out) ? x : undefined;
    }, 15_000, 'upsd to serve the outage');
    t.equal(r.code, 0);
    t.match(r.out, new RegExp(`UPS back-end: nut \\(dummy@127.0.0.1:${h.port}\\)`));
    t.match(r.out, /agent: degraded \(on battery 64%\), line battery/);
    t.match(r.out, /UPS: ON BATTERY \[OB DISCHRG\] via nut/);
    t.match(r.out, /model: Simulated Kiosk-1100/);
    t.match(r.out, /battery: 64%, runtime 540 s/);
  });
}

t.test('the kioskctl command line', (t) => {
  requireBuild();
  const dir = t.testdir({});
  const path = writeAgentConfig({ id: 'RJ-JAI-0051', url: 'mqtt://127.0.0.1:1', dir, extra: { simulate: { ups: {} } } });
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/kioskctl'), 'ups', 'status', '--config', path], { encoding: 'utf8', env: childEnv(), timeout: 20_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /UPS: on mains/);
  const help = spawnSync(process.execPath, [join(ROOT, 'bin/kioskctl'), '--help'], { encoding: 'utf8', env: childEnv() });
  t.match(help.stdout, /ups status/);
  t.end();
});

t.test('against a real running agent with a simulated UPS: its view through GET /v1/status', async (t) => {
  requireBuild();
  const dir = t.testdir({});
  const path = writeAgentConfig({ id: 'RJ-JAI-0052', url: `mqtt://127.0.0.1:${await freePort()}`, dir, extra: { simulate: { ups: {} }, devices: { ups: { backend: 'megatec-hid', pollIntervalMs: 500 } } } });
  const agent = spawnAgent(path);
  t.teardown(async () => {
    agent.proc.kill('SIGTERM');
    await agent.exited;
  });
  const ctl = () => spawnSync(process.execPath, [join(ROOT, 'bin/kioskctl'), 'ups', 'status', '--config', path], { encoding: 'utf8', env: childEnv(), timeout: 20_000 });
  const r = await waitFor(() => {
    const x = ctl();
    return /agent: ok/.test(x.stdout) ? x : undefined;
  }, 20_000, 'the agent reporting its UPS');
  t.equal(r.status, 0);
  t.match(r.stdout, /UPS back-end: megatec-hid \(simulated\), shutdown dry run/);
  t.match(r.stdout, /agent: ok, line mains/);
  t.match(r.stdout, /direct reading: skipped \(the agent holds the megatec-hid device\)/);
});
