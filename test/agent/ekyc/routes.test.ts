// The capture endpoints through the real API server over a Unix socket: validation of the Samagra
// ID and consent, bilingual problems, 201 with the capture id and state, GET by id; the request
// body (citizen reference) never reaches the log.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ApiServer } from '../../../agent/api/server.js';
import { Router } from '../../../agent/api/router.js';
import { captureRoutes } from '../../../agent/ekyc/routes.js';
import { recordingLogger } from '../../../drivers/common/logger.js';
import { request, rig } from './fixtures.js';

function call(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const req = httpRequest({ socketPath: socket, method, path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), json: JSON.parse(data) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

// A Unix socket path is limited to 107 bytes, so not under the checkout (whose path can be long).
function shortSocketPath(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'api.sock');
}

t.test('POST and GET /v1/ekyc/captures', async (t) => {
  const records: Parameters<typeof recordingLogger>[0] = [];
  const logger = recordingLogger(records);
  const r = await rig(t, {}, logger);
  const socket = shortSocketPath(t);
  const api = new ApiServer({ socketPath: socket, router: new Router().add(...captureRoutes(r.service, 'public')), logger });
  await api.listen();
  t.teardown(() => api.close());

  const bad = await call(socket, 'POST', '/v1/ekyc/captures', { ...request(1), samagraId: '12345', consent: false });
  t.equal(bad.status, 400);
  t.match(bad.type, /application\/problem\+json/);
  t.match(bad.json, { title_hi: String, errors: [{ path: 'samagraId', message: 'Samagra member ID: 9 digits' }, { path: 'consent' }] });
  t.notOk(JSON.stringify(bad.json).includes('12345'), 'the value is not echoed');

  const ok = await call(socket, 'POST', '/v1/ekyc/captures', request(7));
  t.equal(ok.status, 201);
  t.match(ok.json, { id: String, state: 'queued', service: 'EKYC', modality: 'fingerprint' });
  const got = await call(socket, 'GET', `/v1/ekyc/captures/${String(ok.json['id'])}`);
  t.same(got.json, ok.json);
  t.equal((await call(socket, 'GET', '/v1/ekyc/captures/00000000-0000-4000-8000-000000000000')).status, 404);
  t.equal((await call(socket, 'GET', '/v1/ekyc/captures/not-a-uuid')).status, 400);

  const otp = await call(socket, 'POST', '/v1/ekyc/captures', request(8, { modality: 'otp', otp: '123456' }));
  t.match(otp, { status: 503, json: { type: 'urn:kiosk-agent:problem:otp-needs-link', title: 'OTP e-KYC needs a live connection', title_hi: String, detail_hi: String } });
  t.match((await call(socket, 'POST', '/v1/ekyc/captures', request(9, { otp: '123456' }))).json, { errors: [{ path: 'otp' }] });

  t.notOk(JSON.stringify(records).includes(request(7).samagraId), 'no citizen reference in the log');
});

t.test('operator role: refused without a login', async (t) => {
  const r = await rig(t);
  const socket = shortSocketPath(t);
  const api = new ApiServer({ socketPath: socket, router: new Router().add(...captureRoutes(r.service)), logger: recordingLogger() });
  await api.listen();
  t.teardown(() => api.close());
  t.equal((await call(socket, 'POST', '/v1/ekyc/captures', request(1))).status, 401);
});
