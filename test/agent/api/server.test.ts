import t from 'tap';
import { request } from 'node:http';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiServer } from '../../../agent/api/server.js';
import { route, Router, type Caller } from '../../../agent/api/router.js';
import { ApiError } from '../../../agent/api/problem.js';
import { buildOpenApi } from '../../../agent/api/openapi.js';
import { recordingLogger } from '../../../drivers/common/logger.js';

interface Reply {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

function call(socketPath: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const echo = route({
  method: 'POST',
  path: '/v1/things/:id',
  summary: 'test',
  role: 'operator',
  params: z.object({ id: z.string().regex(/^\d+$/) }),
  body: z.object({ name: z.string().min(2), amountPaise: z.number().int() }),
  response: z.object({ id: z.string(), name: z.string(), by: z.string() }),
  status: 201,
  handler: ({ params, body, caller }) => Promise.resolve({ id: params.id, name: body.name, by: caller?.user ?? '' }),
});
const adminOnly = route({ method: 'GET', path: '/v1/admin', summary: 'a', role: 'admin', response: z.object({ ok: z.boolean() }), handler: () => Promise.resolve({ ok: true }) });
const broken = route({
  method: 'GET',
  path: '/v1/broken',
  summary: 'b',
  role: 'public',
  response: z.object({}),
  handler: () => Promise.reject(new Error('secret internals: /var/lib/x')),
});
const refusing = route({
  method: 'GET',
  path: '/v1/refuse',
  summary: 'c',
  role: 'public',
  response: z.object({}),
  handler: () => Promise.reject(new ApiError(409, 'queue-full', 'Queue full', 'कतार भरी है', 'try later')),
});

const tokens: Record<string, Caller> = { op: { role: 'operator', user: 'asha' }, adm: { role: 'admin', user: 'ravi' } };

t.test('the local API over a real Unix socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'api-'));
  const socketPath = join(dir, 'api.sock');
  // A socket left behind by a killed agent is replaced, not an error.
  const stale = createServer().listen(socketPath);
  await new Promise((r) => stale.once('listening', r));
  stale.close();
  const log = recordingLogger();
  const api = new ApiServer({
    socketPath,
    router: new Router().add(echo, adminOnly, broken, refusing),
    logger: log,
    authenticate: (req) => Promise.resolve(tokens[(req.headers.authorization ?? '').replace('Bearer ', '')]),
  });
  await api.listen();
  t.teardown(() => api.close());
  t.equal(statSync(socketPath).mode & 0o777, 0o660, 'socket mode 0660');

  const ok = await call(socketPath, 'POST', '/v1/things/42', JSON.stringify({ name: 'Asha', amountPaise: 1800 }), { authorization: 'Bearer op' });
  t.equal(ok.status, 201);
  t.same(ok.body, { id: '42', name: 'Asha', by: 'asha' });

  const anon = await call(socketPath, 'POST', '/v1/things/42', '{}');
  t.equal(anon.status, 401);
  t.match(anon.type, /application\/problem\+json/);
  t.match(anon.body, { title: 'Log in first', title_hi: 'पहले लॉग इन करें', status: 401 });
  t.equal((await call(socketPath, 'GET', '/v1/admin', undefined, { authorization: 'Bearer op' })).status, 403);
  t.equal((await call(socketPath, 'GET', '/v1/admin', undefined, { authorization: 'Bearer adm' })).status, 200);

  const invalid = await call(socketPath, 'POST', '/v1/things/x', JSON.stringify({ name: 'A', amountPaise: 1.5 }), { authorization: 'Bearer op' });
  t.equal(invalid.status, 400);
  t.match(invalid.body['errors'], [{ path: 'id' }]);
  const invalidBody = await call(socketPath, 'POST', '/v1/things/1', JSON.stringify({ name: 'A', amountPaise: 1.5 }), { authorization: 'Bearer op' });
  t.same((invalidBody.body['errors'] as { path: string }[]).map((e) => e.path).sort(), ['amountPaise', 'name']);
  const notJson = await call(socketPath, 'POST', '/v1/things/1', '{nope', { authorization: 'Bearer op' });
  t.match(notJson, { status: 400, body: { title: 'The request body is not JSON' } });
  const big = await call(socketPath, 'POST', '/v1/things/1', JSON.stringify({ name: 'x'.repeat(70_000), amountPaise: 1 }), { authorization: 'Bearer op' });
  t.equal(big.status, 413);

  t.equal((await call(socketPath, 'GET', '/v1/nothing')).status, 404);
  t.equal((await call(socketPath, 'DELETE', '/v1/admin')).status, 405);
  const refused = await call(socketPath, 'GET', '/v1/refuse');
  t.match(refused.body, { status: 409, type: 'urn:kiosk-agent:problem:queue-full', detail: 'try later', title_hi: 'कतार भरी है' });

  const crash = await call(socketPath, 'GET', '/v1/broken');
  t.equal(crash.status, 500);
  t.notMatch(JSON.stringify(crash.body), /secret internals/, 'internals stay in the log');
  t.ok(log.records.some((r) => r.level === 'error' && JSON.stringify(r.obj).includes('secret internals')));
  t.notOk(JSON.stringify(log.records).includes('Asha'), 'request bodies never logged');
});

t.test('OpenAPI document from the route schemas', (t) => {
  const doc = buildOpenApi([echo, adminOnly], '0.1.0') as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const post = doc.paths['/v1/things/{id}']!['post']!;
  t.match(post, { summary: 'test', 'x-role': 'operator', parameters: [{ name: 'id', in: 'path', required: true }] });
  t.match(post['requestBody'], { content: { 'application/json': { schema: { required: ['name', 'amountPaise'] } } } });
  t.ok((post['responses'] as Record<string, unknown>)['201']);
  t.end();
});

t.test('a socket group that does not exist is a clear error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'api-'));
  const api = new ApiServer({ socketPath: join(dir, 's.sock'), group: 'no-such-group-xyz', router: new Router(), logger: recordingLogger() });
  await t.rejects(api.listen(), /api socket group "no-such-group-xyz" does not exist/);
  const long = new ApiServer({ socketPath: join(dir, 'x'.repeat(120), 's.sock'), router: new Router(), logger: recordingLogger() });
  await t.rejects(long.listen(), /longer than 107 bytes/);
});
