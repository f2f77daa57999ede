// Logins renewed by use (issue 11): an idle timeout pushed out by each authenticated request, an
// absolute end however busy, on a real store and the real API server, with a fake monotonic clock.
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { z } from 'zod';
import { ApiServer } from '../../../agent/api/server.js';
import { route, Router } from '../../../agent/api/router.js';
import { authRoutes } from '../../../agent/auth/routes.js';
import { bearerAuthenticator, Sessions, type AuthSettings } from '../../../agent/auth/sessions.js';
import { hashPin } from '../../../agent/auth/pin.js';
import { AuthConfig } from '../../../agent/ledger/config.js';
import { Store } from '../../../agent/store/db.js';
import { AGENT_MIGRATIONS } from '../../../agent/store/migrations.js';
import { silentLogger } from '../../../drivers/common/logger.js';

const MIN = 60_000;

async function rig(t: Test, over: Partial<AuthSettings> = {}) {
  const store = await Store.open(join(t.testdir({}), 's.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const time = { mono: 10_000, boot: 'boot-1' };
  const clock = { now: () => ({ ts: Date.now(), mono: time.mono, boot: time.boot, synced: true }) };
  const users = [{ user: 'asha', role: 'operator' as const, pinHash: await hashPin('1234', { N: 1024 }) }];
  const sessions = new Sessions(store, clock, { users, maxFailures: 3, lockoutSec: 60, tokenTtlSec: 900, ...over });
  const login = async () => {
    const r = await sessions.login('asha', '1234');
    if (!r.ok) throw new Error('login refused');
    return r;
  };
  return { store, time, clock, sessions, login };
}

t.test('the configuration: a 15-minute idle timeout and a 12-hour end by default; the end is bounded', (t) => {
  t.match(AuthConfig.parse({}), { tokenTtlSec: 900, sessionMaxSec: 43_200 });
  t.notOk(AuthConfig.safeParse({ sessionMaxSec: 59 }).success);
  t.notOk(AuthConfig.safeParse({ sessionMaxSec: 86_401 }).success);
  t.end();
});

t.test('without use a login ends after the idle timeout; each authenticated request renews it', async (t) => {
  const { time, sessions, login } = await rig(t);
  const a = await login();
  t.match(a, { expiresInSec: 900, maxSec: 43_200 });
  time.mono += 14 * MIN;
  t.same(await sessions.resolve(a.token), { user: 'asha', role: 'operator', session: { expiresInSec: 60, endsInSec: 43_200 - 14 * 60 } }, 'still open at 14 min, 1 min left');
  time.mono += 2 * MIN;
  t.equal(await sessions.resolve(a.token), undefined, 'a look without renewal does not keep it open: ended at 15 min');

  // An operator at work: a request every 10 minutes for 3 hours keeps the login open.
  const b = await login();
  for (let i = 0; i < 18; i++) {
    time.mono += 10 * MIN;
    t.ok(await sessions.resolve(b.token, { renew: true }), `open after ${(i + 1) * 10} min of work`);
  }
  const l = await sessions.lookup(b.token);
  t.match(l, { caller: { user: 'asha' }, expiresInSec: 900 });
  t.equal(l!.endsInSec, 43_200 - 180 * 60, 'the absolute end does not move');
  // Then 15 minutes idle end it, however long it was used before.
  time.mono += 15 * MIN;
  t.equal(await sessions.resolve(b.token, { renew: true }), undefined, 'idle 15 min: ended, and a late request does not revive it');
});

t.test('however busy, a login ends at sessionMaxSec; the idle deadline never passes the end', async (t) => {
  const { time, sessions, login } = await rig(t, { tokenTtlSec: 900, sessionMaxSec: 3600 });
  const a = await login();
  for (let i = 0; i < 5; i++) {
    time.mono += 10 * MIN;
    t.ok(await sessions.resolve(a.token, { renew: true }), `open at ${(i + 1) * 10} min`);
  }
  // At 50 min a renewal would reach 65 min: it stops at the end, 60 min.
  t.match(await sessions.lookup(a.token), { expiresInSec: 600, endsInSec: 600 });
  time.mono += 10 * MIN - 1;
  t.ok(await sessions.resolve(a.token, { renew: true }), 'open the last millisecond');
  time.mono += 1;
  t.equal(await sessions.resolve(a.token, { renew: true }), undefined, 'ended at 60 min');
  // An idle timeout longer than the end is cut to it.
  const { login: login2 } = await rig(t, { tokenTtlSec: 7200, sessionMaxSec: 3600 });
  t.match(await login2(), { expiresInSec: 3600, maxSec: 3600 });
});

t.test('another boot ends every login; logout ends one', async (t) => {
  const { time, sessions, login } = await rig(t);
  const a = await login();
  const b = await login();
  await sessions.logout(a.token);
  t.equal(await sessions.resolve(a.token, { renew: true }), undefined);
  t.ok(await sessions.resolve(b.token, { renew: true }));
  time.boot = 'boot-2';
  time.mono = 5_000;
  t.equal(await sessions.resolve(b.token, { renew: true }), undefined);
});

function call(socketPath: string, path: string, token: string): Promise<number> {
  return get(socketPath, path, token).then((r) => r.status);
}

function get(socketPath: string, path: string, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'GET', path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('through the API server: routes that need a login renew it; the public status polled by the console does not', async (t) => {
  const { store, time, clock, sessions, login } = await rig(t);
  const socketPath = join(mkdtempSync(join(tmpdir(), 'ses-')), 'a.sock');
  const ok = z.object({ ok: z.boolean() });
  const router = new Router().add(
    route({ method: 'GET', path: '/v1/status', summary: 's', role: 'public', response: ok, handler: () => Promise.resolve({ ok: true }) }),
    route({ method: 'GET', path: '/v1/work', summary: 'w', role: 'operator', response: ok, handler: () => Promise.resolve({ ok: true }) }),
    ...authRoutes(sessions),
  );
  const api = new ApiServer({ socketPath, router, logger: silentLogger, authenticate: bearerAuthenticator(store, clock) });
  await api.listen();
  t.teardown(() => api.close());

  const a = await login();
  // GET /v1/session says the time left, and is itself a use of the login.
  time.mono += 10 * MIN;
  t.same(await get(socketPath, '/v1/session', a.token), { status: 200, body: { user: 'asha', role: 'operator', expiresInSec: 900, endsInSec: 43_200 - 600 } });
  for (let i = 0; i < 6; i++) {
    time.mono += 10 * MIN;
    t.equal(await call(socketPath, '/v1/work', a.token), 200, `work at ${(i + 1) * 10} min`);
  }
  // Polling the status every 5 s for 20 minutes keeps nothing open.
  for (let s = 0; s < 20 * 60; s += 5) {
    time.mono += 5000;
    if (s % 300 === 0) t.equal(await call(socketPath, '/v1/status', a.token), 200);
  }
  t.equal(await call(socketPath, '/v1/work', a.token), 401, 'idle but for the status: the login ended');
  t.equal(await call(socketPath, '/v1/session', a.token), 401);
});

t.test('migration 7 ends the tokens of the earlier schema, which had no idle timeout or end', async (t) => {
  const path = join(t.testdir({}), 'm.db');
  const before = await Store.open(path, { logger: silentLogger, migrations: AGENT_MIGRATIONS.filter((m) => m.version < 7) });
  await before.run("INSERT INTO auth_sessions (token_hash, user, role, boot, expires_mono) VALUES ('h', 'asha', 'operator', 'b', 99999999)");
  await before.close();
  const after = await Store.open(path, { logger: silentLogger });
  t.teardown(() => after.close());
  t.same(await after.all('SELECT * FROM auth_sessions'), [], 'the old token is gone: the PIN is asked once more');
  const cols = (await after.all<{ name: string }>('PRAGMA table_info(auth_sessions)')).map((c) => c.name);
  t.ok(cols.includes('idle_sec') && cols.includes('max_mono'));
});
