// A real agent with the default role: an operator logs in with a PIN and takes captures; with the
// link and the central receiver up, a fingerprint capture is accepted and recorded in the ledger
// under that operator, an OTP capture goes through live, and a rejection keeps its reason.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import t from 'tap';
import { hashPin } from '../../../agent/auth/pin.js';
import { spawnAgent, writeAgentConfig } from '../../helpers/agent-process.js';
import { Collector } from '../../helpers/collector.js';
import { ekycSection, startCentral, startRd } from './fixtures.js';

const KIOSK = 'MP-IND-0007';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function call(socket: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const req = httpRequest({ socketPath: socket, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

t.test('operator login, capture, central decision, ledger', async (t) => {
  const rd = await startRd(t);
  const { broker } = await startCentral(t);
  const wire = await Collector.start(broker.url, `kiosk/v1/${KIOSK}/+`);
  t.teardown(() => wire.close());
  const dir = t.testdir({});
  const section = ekycSection({ rd: { ports: [rd.port], captureTimeoutMs: 5000 }, sweepSec: 1 });
  delete section['apiRole'];
  const config = writeAgentConfig({
    id: KIOSK,
    url: broker.url,
    dir,
    heartbeatSec: 5,
    extra: { ekyc: section, auth: { users: [{ user: 'asha', role: 'operator', pinHash: await hashPin('4821', { N: 1024 }) }] } },
  });
  const socket = (JSON.parse(readFileSync(config, 'utf8')) as { api: { socket: string } }).api.socket;
  const agent = spawnAgent(config);
  t.teardown(() => void agent.proc.kill('SIGKILL'));
  for (let i = 0; i < 1500 && !agent.output().includes('"agent started"'); i++) await sleep(10);
  await wire.until(() => wire.on('status').some((r) => r.message['state'] === 'online'), 10_000, 'birth');

  const body = { samagraId: '612345789', consent: true, modality: 'fingerprint', service: 'EKYC' };
  t.equal((await call(socket, 'POST', '/v1/ekyc/captures', body)).status, 401, 'the operator role needs a login');
  const login = await call(socket, 'POST', '/v1/login', { user: 'asha', pin: '4821' });
  t.equal(login.status, 200);
  const token = login.json['token'] as string;

  const cap = await call(socket, 'POST', '/v1/ekyc/captures', body, token);
  t.match(cap, { status: 201, json: { state: 'queued' } });
  const id = cap.json['id'] as string;
  const otpOk = await call(socket, 'POST', '/v1/ekyc/captures', { ...body, samagraId: '612345780', modality: 'otp', otp: '482913' }, token);
  t.equal(otpOk.status, 201, 'OTP with the link up');
  const otpBad = await call(socket, 'POST', '/v1/ekyc/captures', { ...body, samagraId: '612345781', modality: 'otp', otp: '000000' }, token);
  const state = async (cid: string) => (await call(socket, 'GET', `/v1/ekyc/captures/${cid}`, undefined, token)).json;
  for (let i = 0; i < 100 && (await state(otpBad.json['id'] as string))['state'] !== 'rejected'; i++) await sleep(100);

  t.match(await state(id), { state: 'accepted', transactionRecorded: true, authRef: /^SIM-/ });
  t.match(await state(otpOk.json['id'] as string), { state: 'accepted', modality: 'otp' });
  t.match(await state(otpBad.json['id'] as string), { state: 'rejected', code: 'OTP_INVALID', reason: 'the OTP is not valid (UIDAI 400)', transactionRecorded: false });

  await wire.until(() => wire.on('transactions').length >= 2, 10_000, 'transactions published');
  const txns = wire.on('transactions').map((r) => r.message);
  t.match(txns, [
    { serviceCode: 'EKYC', chargedPaise: 0, officialPaise: 0, commissionPaise: 1800, operator: 'asha', ref: id },
    { serviceCode: 'EKYC', commissionPaise: 1800, operator: 'asha' },
  ]);
  await wire.until(() => wire.on('events').some((r) => r.message['type'] === 'capture.rejected'), 10_000, 'capture.rejected event');
  await wire.until(() => wire.on('state').some((r) => (r.message['captures'] as Record<string, number> | undefined)?.['accepted'] === 2), 15_000, 'captures in the state snapshot');
  t.pass('the state snapshot counts captures by state');
  agent.proc.kill('SIGTERM');
  await agent.exited;
});
