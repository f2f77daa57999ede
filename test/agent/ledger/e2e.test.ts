/**
 * End to end: the real agent process and a real broker (embedded aedes). Central sends a
 * wallet.credit job (twice, as a redelivery would) and an expired one, and reads the job-status
 * answers and the ledger entry; an operator logs in with a PIN over the local API and sees the
 * credited wallet.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { hashPin } from '../../../agent/auth/pin.js';
import { requireBuild, spawnAgent, writeAgentConfig } from '../../helpers/agent-process.js';
import { callApi as call } from '../../helpers/local-api.js';
import { startAedes } from '../../helpers/aedes.js';
import { Collector } from '../../helpers/collector.js';

requireBuild();

t.test('a job from central runs once and is answered on job-status; the operator sees the wallet', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const id = 'RJ-JAI-0801';
  const collector = await Collector.start(broker.url, `kiosk/v1/${id}/+`);
  t.teardown(() => collector.close());
  const dir = t.testdir({});
  const config = writeAgentConfig({
    id,
    url: broker.url,
    dir,
    extra: { auth: { users: [{ user: 'op1', role: 'operator', pinHash: await hashPin('2468', { N: 1024 }) }] } },
  });
  const agent = spawnAgent(config);
  t.teardown(async () => {
    if (agent.proc.exitCode === null) {
      agent.proc.kill('SIGKILL');
      await agent.exited;
    }
  });
  await collector.until(() => collector.on('status').some((m) => m.message['state'] === 'online'), 20_000, 'birth');

  const central = await mqtt.connectAsync(broker.url, { clientId: 'central-jobs' });
  t.teardown(() => central.endAsync(true));
  const now = Date.now();
  const job = JSON.stringify({ v: 1, ts: now, id: 'J-e2e-credit', type: 'wallet.credit', params: { amountPaise: 21_000_00, reference: 'UTR-1' }, expiresTs: now + 600_000 });
  await central.publishAsync(`kiosk/v1/${id}/jobs`, job, { qos: 1 });
  await central.publishAsync(`kiosk/v1/${id}/jobs`, job, { qos: 1 });
  const stale = JSON.stringify({ v: 1, ts: now - 7_200_000, id: 'J-e2e-old', type: 'wallet.credit', params: { amountPaise: 100 }, expiresTs: now - 3_600_000 });
  await central.publishAsync(`kiosk/v1/${id}/jobs`, stale, { qos: 1 });

  const statuses = () => collector.on('job-status').map((m) => `${String(m.message['jobId'])}:${String(m.message['status'])}:${typeof m.message['code'] === 'string' ? m.message['code'] : ''}`);
  await collector.until(() => statuses().length >= 4, 20_000, 'four job statuses');
  t.same(statuses().sort(), ['J-e2e-credit:accepted:', 'J-e2e-credit:rejected:duplicate', 'J-e2e-credit:succeeded:', 'J-e2e-old:expired:expired']);
  const succeeded = collector.on('job-status').find((m) => m.message['status'] === 'succeeded');
  t.match(succeeded?.message, { result: { amountPaise: 21_000_00, balancePaise: 21_000_00 } });
  await collector.until(() => collector.on('transactions').length >= 1, 10_000, 'ledger entry');
  t.equal(collector.on('transactions').length, 1, 'credited once');
  t.match(collector.on('transactions')[0]!.message, { entry: 'wallet', kind: 'credit', amountPaise: 21_000_00, jobId: 'J-e2e-credit' });
  await collector.until(() => collector.on('state').some((m) => (m.message['wallet'] as { balancePaise?: number } | undefined)?.balancePaise === 21_000_00), 10_000, 'wallet in state');

  const socket = (JSON.parse(readFileSync(config, 'utf8')) as { api: { socket: string } }).api.socket;
  t.equal((await call(socket, 'GET', '/v1/wallet')).status, 401, 'the wallet needs a login');
  const login = await call(socket, 'POST', '/v1/login', { user: 'op1', pin: '2468' });
  t.equal(login.status, 200);
  const wallet = await call(socket, 'GET', '/v1/wallet', undefined, login.body['token'] as string);
  t.match(wallet.body, { balancePaise: 21_000_00, minimumPaise: 20_000_00, belowMinimum: false });

  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0);
});
