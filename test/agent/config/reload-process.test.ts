/**
 * Reading the configuration again in the real daemon: SIGHUP with a broken file keeps the running
 * configuration and tells central (`config.rejected`, without quoting the file); POST
 * /v1/config/reload is for admins, applies the logins and names what waits for a restart.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { hashPin } from '../../../agent/auth/pin.js';
import { requireBuild, spawnAgent, writeAgentConfig } from '../../helpers/agent-process.js';
import { callApi as call } from '../../helpers/local-api.js';
import { startAedes } from '../../helpers/aedes.js';
import { Collector } from '../../helpers/collector.js';

requireBuild();

t.test('a broken file on SIGHUP is refused and reported; the reload route applies logins and names the rest', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const id = 'RJ-JAI-0077';
  const sub = await Collector.start(broker.url, `kiosk/v1/${id}/events`);
  t.teardown(() => sub.close());
  const config = writeAgentConfig({
    id,
    url: broker.url,
    dir: t.testdir({}),
    extra: {
      auth: {
        users: [
          { user: 'tech', role: 'admin', pinHash: await hashPin('482913', { N: 1024 }) },
          { user: 'op1', role: 'operator', pinHash: await hashPin('2468', { N: 1024 }) },
        ],
      },
    },
  });
  const good = readFileSync(config, 'utf8');
  const socket = (JSON.parse(good) as { api: { socket: string } }).api.socket;
  const agent = spawnAgent(config);
  t.teardown(() => {
    if (agent.proc.exitCode === null) agent.proc.kill('SIGKILL');
  });
  await sub.until(() => sub.on('events').some((r) => r.message['type'] === 'agent.start'), 30_000, 'agent.start');

  // A technician's half-edited file, with the broker password in it.
  writeFileSync(config, good.replace('"users": [', '"password": "hunter2-secret", "users": [').replace(/}\s*$/, ''));
  agent.proc.kill('SIGHUP');
  await sub.until(() => sub.on('events').some((r) => r.message['type'] === 'config.rejected'), 10_000, 'config.rejected');
  const rejected = sub.on('events').find((r) => r.message['type'] === 'config.rejected')!.message;
  t.match(rejected, { severity: 'warning', data: { source: config, error: /^not valid JSON/ } });
  t.notMatch(JSON.stringify(rejected), /hunter2/, 'the file is not quoted to central');
  t.notMatch(agent.output(), /hunter2/, 'nor in the log');
  t.match(agent.output(), /configuration reload refused/);
  t.equal(agent.proc.exitCode, null, 'still running');

  const op = await call(socket, 'POST', '/v1/login', { user: 'op1', pin: '2468' });
  t.equal(op.status, 200, 'the running logins stay');
  const tech = await call(socket, 'POST', '/v1/login', { user: 'tech', pin: '482913' });
  t.equal(tech.status, 200);
  const opToken = op.body['token'] as string;
  const techToken = tech.body['token'] as string;

  t.equal((await call(socket, 'POST', '/v1/config/reload', undefined, opToken)).status, 403, 'an operator may not reload');
  t.equal((await call(socket, 'POST', '/v1/config/reload')).status, 401);
  const refused = await call(socket, 'POST', '/v1/config/reload', undefined, techToken);
  t.equal(refused.status, 422, 'the file is still broken');
  t.match(refused.body, { title: /refused/, detail: /not valid JSON/ });

  // Fixed: op1 gets a new PIN, and the heartbeat interval changes too.
  const next = JSON.parse(good) as { auth: { users: { user: string; pinHash: string }[] }; telemetry: { heartbeatSec: number } };
  next.auth.users[1]!.pinHash = await hashPin('1357', { N: 1024 });
  next.telemetry.heartbeatSec = 30;
  writeFileSync(config, JSON.stringify(next));
  const ok = await call(socket, 'POST', '/v1/config/reload', undefined, techToken);
  t.equal(ok.status, 200);
  t.same(ok.body, { auth: true, endedSessions: 1, restartNeeded: ['telemetry'] });
  t.equal((await call(socket, 'GET', '/v1/wallet', undefined, opToken)).status, 401, "op1's login ended with the PIN change");
  t.equal((await call(socket, 'POST', '/v1/login', { user: 'op1', pin: '1357' })).status, 200, 'the new PIN works');
  t.equal((await call(socket, 'GET', '/v1/wallet', undefined, techToken)).status, 200, "the admin's login stays");

  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0);
  t.equal(sub.on('events').filter((r) => r.message['type'] === 'config.rejected').length, 2, "each refusal is reported, the route's too");
});
