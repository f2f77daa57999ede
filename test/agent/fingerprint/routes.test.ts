// The technician's fingerprint endpoints over the real API server on a Unix socket: admin only,
// validated, driver errors as problems in English and Hindi. The R30x module is the simulator
// on an in-memory port (the pty path is covered by the capability and kioskctl tests).
import t, { type Test } from 'tap';
import { request, type IncomingMessage } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../../agent/api/server.js';
import { Router, type Caller } from '../../../agent/api/router.js';
import { documentedRoutes } from '../../../agent/api/catalog.js';
import { DeviceRegistry } from '../../../agent/devices/registry.js';
import { FingerprintConfig } from '../../../agent/fingerprint/config.js';
import { FingerprintReaders } from '../../../agent/fingerprint/readers.js';
import { fingerprintRoutes } from '../../../agent/fingerprint/routes.js';
import { R30xSimulator, FAST_TIMING } from '../../../drivers/fingerprint/r30x-simulator.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { memoryLink } from '../../drivers/fingerprint/fixtures/helpers.js';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

function call(socketPath: string, role: string | undefined, method: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(role ? { 'x-test-role': role } : {}) };
    const req = request({ socketPath, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Stands in for the PIN login: the role comes from a test header. */
const authenticate = (req: IncomingMessage): Promise<Caller | undefined> => {
  const role = req.headers['x-test-role'];
  return Promise.resolve(role === 'admin' || role === 'operator' ? { role, user: `test-${role}` } : undefined);
};

async function serve(t: Test, fingerprint: unknown, sim?: R30xSimulator) {
  const link = sim ? memoryLink(sim) : undefined;
  const readers = new FingerprintReaders({
    config: FingerprintConfig.parse(fingerprint),
    ekyc: undefined,
    devices: new DeviceRegistry(),
    emit: () => Promise.resolve(),
    logger: silentLogger,
    ...(link ? { openPort: link.openPort } : {}),
  });
  await readers.start();
  if (readers.driver) await readers.driver.whenReady(2000);
  const socketPath = join(mkdtempSync(join(tmpdir(), 'fp-api-')), 'api.sock');
  const server = new ApiServer({ socketPath, router: new Router().add(...fingerprintRoutes(readers)), logger: silentLogger, authenticate });
  await server.listen();
  t.teardown(async () => {
    await server.close();
    await readers.stop();
  });
  return { as: (role: string | undefined) => (method: string, path: string, body?: unknown) => call(socketPath, role, method, path, body), link };
}

t.test('admin only: anonymous 401, operator 403, admin 200', async (t) => {
  const sim = new R30xSimulator({ timing: FAST_TIMING });
  const { as } = await serve(t, { r30x: { path: '/dev/ttyFP' } }, sim);
  t.equal((await as(undefined)('GET', '/v1/fingerprint')).status, 401);
  const op = await as('operator')('POST', '/v1/fingerprint/enroll', {});
  t.equal(op.status, 403);
  t.match(op.body, { title_hi: /./ });
  const info = await as('admin')('GET', '/v1/fingerprint');
  t.equal(info.status, 200);
  t.match(info.body, { r30x: { configured: true, state: 'ready', path: '/dev/ttyFP', templateCount: 0, slots: [], params: { capacity: 200 } } });
  t.notOk('rd' in info.body, 'no RD section when RD health is not polled');
});

t.test('enroll, identify, delete, and what goes wrong, as problems', async (t) => {
  const sim = new R30xSimulator({ timing: FAST_TIMING });
  const { as, link } = await serve(t, { r30x: { path: '/dev/ttyFP', pollMs: 20 } }, sim);
  const admin = as('admin');

  sim.touch({ finger: 'asha-right-thumb', afterPolls: 1 }, { finger: 'asha-right-thumb' });
  const e1 = await admin('POST', '/v1/fingerprint/enroll', { deadlineMs: 3000 });
  t.equal(e1.status, 201);
  t.same(e1.body, { slot: 0, templateCount: 1 });

  sim.touch({ finger: 'asha-right-thumb' });
  const dup = await admin('POST', '/v1/fingerprint/enroll', { deadlineMs: 3000 });
  t.match(dup, { status: 409, body: { type: 'urn:kiosk-agent:problem:already-enrolled', detail: /slot 0/, title_hi: /./ } });

  sim.touch({ finger: 'ravi-left-index' }, { finger: 'ravi-left-index' });
  t.match(await admin('POST', '/v1/fingerprint/enroll', { slot: 5, deadlineMs: 3000 }), { status: 201, body: { slot: 5, templateCount: 2 } });
  t.match((await admin('GET', '/v1/fingerprint')).body, { r30x: { slots: [0, 5], templateCount: 2 } });

  sim.touch({ finger: 'ravi-left-index' });
  t.match(await admin('POST', '/v1/fingerprint/identify', { deadlineMs: 3000 }), { status: 200, body: { matched: true, slot: 5, score: Number } });
  sim.touch({ finger: 'stranger' });
  t.same((await admin('POST', '/v1/fingerprint/identify', {})).body, { matched: false });
  sim.touch({ finger: 'asha-right-thumb', quality: 'poor' });
  const poor = await admin('POST', '/v1/fingerprint/identify', { deadlineMs: 3000 });
  t.match(poor, { status: 422, body: { type: 'urn:kiosk-agent:problem:capture-failed', detail: /FP_POOR_QUALITY/ } });
  const nothing = await admin('POST', '/v1/fingerprint/identify', { deadlineMs: 1000 });
  t.match(nothing, { status: 422, body: { type: 'urn:kiosk-agent:problem:no-finger', detail_hi: /./ } });

  t.match(await admin('DELETE', '/v1/fingerprint/templates/5'), { status: 200, body: { slot: 5, deleted: true, templateCount: 1 } });
  t.match(await admin('DELETE', '/v1/fingerprint/templates/5'), { status: 404, body: { type: 'urn:kiosk-agent:problem:empty-slot' } });
  t.match(await admin('DELETE', '/v1/fingerprint/templates/x'), { status: 400, body: { errors: [{ path: 'slot' }] } });
  t.match(await admin('POST', '/v1/fingerprint/identify', { deadlineMs: 5 }), { status: 400, body: { errors: [{ path: 'deadlineMs' }] } });
  t.match(await admin('POST', '/v1/fingerprint/enroll', { finger: 'x' }), { status: 400 });

  link!.unplug();
  const gone = await admin('POST', '/v1/fingerprint/identify', { deadlineMs: 1000 });
  t.match(gone, { status: 503, body: { type: 'urn:kiosk-agent:problem:reader-unavailable', detail: /FP_NOT_READY|FP_DISCONNECTED/ } });
  t.match((await admin('GET', '/v1/fingerprint')).body, { r30x: { state: 'disconnected', lastError: { code: 'FP_DISCONNECTED' } } });
});

t.test('no reader configured: info says so, operations answer 503', async (t) => {
  const { as } = await serve(t, {});
  const admin = as('admin');
  t.same((await admin('GET', '/v1/fingerprint')).body, { r30x: { configured: false, state: 'disabled' } });
  t.match(await admin('POST', '/v1/fingerprint/identify', {}), { status: 503, body: { type: 'urn:kiosk-agent:problem:reader-not-configured' } });
});

t.test('the endpoints are in the OpenAPI catalog', (t) => {
  const paths = documentedRoutes().map((r) => `${r.method} ${r.path}`);
  for (const p of ['GET /v1/fingerprint', 'POST /v1/fingerprint/enroll', 'POST /v1/fingerprint/identify', 'DELETE /v1/fingerprint/templates/:slot']) t.ok(paths.includes(p), p);
  t.ok(documentedRoutes().filter((r) => r.path.startsWith('/v1/fingerprint')).every((r) => r.role === 'admin'), 'all admin');
  t.end();
});
