// The technician ties an enrolled finger to a login, and the operator logs in with it (issue 11):
// the built kioskctl and agent as processes, the R30x simulator on a real socat pty. kioskctl has
// the running agent read its configuration again (POST /v1/config/reload), so the finger logs in
// without a restart; a mapping edited by hand is taken up on SIGHUP (systemctl reload).
import t from 'tap';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPin } from '../../agent/auth/pin.js';
import { R30xSimulator, type SimTiming } from '../../drivers/fingerprint/r30x-simulator.js';
import { R30xPtySimulator } from '../../drivers/fingerprint/r30x-pty.js';
import { requireBuild, runKioskctl, spawnAgent, writeAgentConfig, type RunningAgent } from '../helpers/agent-process.js';

requireBuild();

const TIMING: SimTiming = { perInstructionMs: { GenImg: 5, Img2Tz: 5 }, defaultMs: 1, paceAtBaud: true };
const ADMIN = { KIOSKCTL_USER: 'tech.ravi', KIOSKCTL_PIN: '482913' };

const kioskctl = (args: string[], env: NodeJS.ProcessEnv = ADMIN) => runKioskctl(args, env);

function post(socketPath: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const authUsers = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { auth: { users: { user: string; fingerprintSlots?: number[] }[] } }).auth.users;

t.test('enroll --for ties the slot in the configuration and the finger logs that user in at once; delete unties it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kctl-fpl-'));
  const sim = new R30xSimulator({ timing: TIMING });
  const pty = new R30xPtySimulator(sim, dir);
  await pty.plug();
  const config = writeAgentConfig({
    id: 'RJ-JAI-0092',
    url: 'mqtt://127.0.0.1:1',
    dir,
    extra: {
      log: { level: 'info' },
      devices: { fingerprint: { r30x: { path: pty.hostPath, backoff: { baseMs: 50, capMs: 200 } } } },
      auth: {
        users: [
          { user: ADMIN.KIOSKCTL_USER, role: 'admin', pinHash: await hashPin(ADMIN.KIOSKCTL_PIN, { N: 1024 }) },
          { user: 'op.asha', role: 'operator', pinHash: await hashPin('1357', { N: 1024 }) },
        ],
      },
    },
  });
  const socket = (JSON.parse(readFileSync(config, 'utf8')) as { api: { socket: string } }).api.socket;
  const agent: RunningAgent = spawnAgent(config);
  t.teardown(async () => {
    if (agent.proc.exitCode === null) agent.proc.kill('SIGKILL');
    await pty.unplug();
    await rm(dir, { recursive: true, force: true });
  });
  const fp = (args: string[]) => kioskctl(['fingerprint', ...args, '--config', config]);
  const ready = async () => {
    for (let i = 0; i < 100; i++) {
      const r = await fp(['info', '--json']);
      if (r.status === 0 && (JSON.parse(r.stdout) as { r30x: { state: string } }).r30x.state === 'ready') return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the reader never became ready');
  };
  await ready();

  const before = statSync(config).mode & 0o777;
  const nobody = await fp(['enroll', '--for', 'op.nobody']);
  t.equal(nobody.status, 64, 'an unknown login is refused before any capture');
  t.match(nobody.stderr, /no login "op\.nobody" in auth\.users[\s\S]*there are: tech\.ravi, op\.asha/);
  t.notOk(sim.received.includes('GenImg'), 'no finger was asked for');
  t.equal((await fp(['identify', '--for', 'op.asha'])).status, 64, '--for goes with enroll only');

  sim.touch({ finger: 'asha-right-thumb', afterPolls: 1 }, { finger: 'asha-right-thumb', afterPolls: 1 });
  const tied = await fp(['enroll', '--for', 'op.asha', '--deadline', '5000']);
  t.equal(tied.status, 0, tied.stderr);
  t.match(tied.stdout, /enrolled in slot 0[\s\S]*slot 0 now logs in op\.asha; the agent uses it now/);
  t.same(authUsers(config).map((u) => [u.user, u.fingerprintSlots]), [['tech.ravi', undefined], ['op.asha', [0]]], 'written to the configuration, nothing else changed');
  t.equal(statSync(config).mode & 0o777, before, 'the file keeps its mode');
  t.match((await fp(['info'])).stdout, /enrolled\s+1 of 200 \(slots 0 op\.asha\)/, 'info names the login of each slot');

  sim.touch({ finger: 'asha-right-thumb' });
  const login = await post(socket, '/v1/login/fingerprint', {});
  t.equal(login.status, 200, 'the finger logs in, the agent not restarted');
  t.match(login.body, { user: 'op.asha', role: 'operator', token: /./ });

  const del = await fp(['delete', '0', '--json']);
  t.equal(del.status, 0, del.stderr);
  t.match(JSON.parse(del.stdout), { slot: 0, untiedFrom: ['op.asha'], reloaded: true });
  t.same(authUsers(config)[1]?.fingerprintSlots, [], 'untied, so a finger enrolled into slot 0 later is not Asha');
  sim.touch({ finger: 'asha-right-thumb' });
  t.equal((await post(socket, '/v1/login/fingerprint', {})).status, 401, 'the deleted finger no longer logs in');
  const again = await post(socket, '/v1/login', { user: 'op.asha', pin: '1357' });
  t.equal(again.status, 200, 'her PIN login is untouched');

  // A mapping written by hand to a slot that holds nothing is pointed out.
  const raw = JSON.parse(readFileSync(config, 'utf8')) as { auth: { users: { pinHash: string; fingerprintSlots?: number[] }[] } };
  raw.auth.users[1]!.fingerprintSlots = [4];
  writeFileSync(config, JSON.stringify(raw));
  t.match((await fp(['info'])).stdout, /not enrolled, yet tied to a login: 4 op\.asha/);

  // A hand edit is taken up on SIGHUP: a new PIN for Asha works, the old one not.
  raw.auth.users[1]!.pinHash = await hashPin('2468', { N: 1024 });
  writeFileSync(config, JSON.stringify(raw));
  const reloads = () => agent.output().split('"msg":"configuration reloaded"').length - 1;
  t.equal(reloads(), 2, 'one reload each for the enrol and the delete by kioskctl');
  agent.proc.kill('SIGHUP');
  for (let i = 0; i < 200 && reloads() < 3; i++) await new Promise((res) => setTimeout(res, 50));
  t.equal(reloads(), 3, 'the agent logs the reload on SIGHUP');
  t.equal((await post(socket, '/v1/login', { user: 'op.asha', pin: '2468' })).status, 200, 'the new PIN after SIGHUP');
  t.equal((await post(socket, '/v1/login', { user: 'op.asha', pin: '1357' })).status, 401, 'the old PIN no longer');

  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0);
  // The finger's name in the simulator, a template field or a hex dump of one: none in the log.
  t.notMatch(agent.output(), /asha-right-thumb|"template"|[0-9a-f]{256}/i, 'no finger data in the agent log');
});
