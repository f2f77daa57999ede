/**
 * Dashboard access over real HTTP (issue 10 §5), with a fake clock for the session ends and the
 * lockout: every API route, the event stream and the CSV export need a session; the cookie's
 * attributes; login lockout with backoff; CSRF token and Origin on state changes; viewers cannot
 * send jobs (problem+json 403); the audit log; logout; idle and absolute expiry; /metrics' token.
 */
import t from 'tap';
import { startFleet } from '../../../fleet/serve.js';
import { emptyKiosk } from '../../../fleet/store/repository.js';
import { embeddedFleetOptions, FakeClock } from '../fixtures/helpers.js';
import { addUser, login, PASSWORD } from './fixture.js';

t.test('dashboard access', async (t) => {
  const clock = new FakeClock(Date.now());
  const fleet = await startFleet(
    embeddedFleetOptions(t, {
      clock,
      operations: {
        http: { host: '127.0.0.1', port: 0, metricsToken: 'scrape-token', keepAliveMs: 100 },
        publisher: { publish: () => Promise.resolve(), close: () => Promise.resolve() },
      },
    }),
  );
  t.teardown(() => fleet.close());
  const http = (await fleet.ops.http)!;
  const base = http.url;
  const origin = base.replace(/\/$/, '');
  await fleet.repo.updateKiosk('RJ-JAI-0001', () => ({ ...emptyKiosk('RJ-JAI-0001'), district: 'Jaipur' }));
  await addUser(fleet, 'ops', 'operator');
  await addUser(fleet, 'asha', 'viewer');
  await addUser(fleet, 'root', 'admin');
  const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) => fetch(new URL(path, base), { redirect: 'manual', ...init });

  t.test('without a session: 401 problem+json on every API route, the stream and CSV; the page sends to the login', async (t) => {
    for (const path of ['/api/overview', '/api/kiosks', '/api/kiosks.csv', '/api/kiosks/RJ-JAI-0001', '/api/inactivity', '/api/ekyc-weekly', '/api/alerts', '/api/jobs', '/api/stream', '/api/session', '/api/audit', '/api/users']) {
      const res = await req(path);
      t.equal(res.status, 401, path);
      t.match(res.headers.get('content-type'), /^application\/problem\+json/);
      t.match(await res.json(), { status: 401, title: 'Unauthorized', detail: 'log in first' });
    }
    const page = await req('/');
    t.equal(page.status, 303);
    t.equal(page.headers.get('location'), '/login.html');
    t.equal((await req('/login.html')).status, 200, 'the login page is open');
    t.equal((await req('/login.js')).status, 200);
    t.equal((await req('/metrics')).status, 401, '/metrics wants its token');
    t.equal((await req('/metrics', { headers: { authorization: 'Bearer wrong' } })).status, 401);
    t.equal((await req('/metrics', { headers: { authorization: 'Bearer scrape-token' } })).status, 200);
    const post = await req('/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{}' });
    t.equal(post.status, 401, 'no job without a session');
  });

  t.test('login: the cookie, the session, wrong passwords, lockout with backoff', async (t) => {
    const res = await req('/api/login', { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ username: 'ops', password: PASSWORD }) });
    t.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie') ?? '';
    t.match(cookie, /^kiosk_fleet_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/, 'HttpOnly, SameSite=Strict, no Secure over plain HTTP');
    const body = (await res.json()) as Record<string, unknown>;
    t.match(body, { user: 'ops', role: 'operator', can: { sendJobs: true, readAudit: true, manageUsers: false } });
    t.notMatch(JSON.stringify(body), cookie.split(';')[0]!.split('=')[1]!, 'the token is only in the cookie');
    const stored = await fleet.repo.access.listUsers();
    t.ok(stored.every((u) => /^scrypt\$15\$8\$1\$/.test(u.passwordHash)), 'scrypt hashes');

    const crossSite = await req('/api/login', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ username: 'ops', password: PASSWORD }) });
    t.equal(crossSite.status, 403, 'no login from another origin');

    const attempt = (username: string, password: string) => req('/api/login', { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ username, password }) });
    t.equal((await attempt('nobody', 'whatever-it-is')).status, 401, 'an unknown name');
    for (let i = 1; i <= 5; i++) t.equal((await attempt('asha', `wrong password ${i}`)).status, 401, `failure ${i}`);
    const locked = await attempt('asha', PASSWORD);
    t.equal(locked.status, 429, 'locked after 5 failures, even with the right password');
    t.equal(locked.headers.get('retry-after'), '30');
    clock.advance(31_000);
    t.equal((await attempt('asha', 'wrong again!!')).status, 401);
    const longer = await attempt('asha', PASSWORD);
    t.equal(longer.status, 429, 'the sixth failure locks for longer');
    t.equal(longer.headers.get('retry-after'), '60');
    clock.advance(61_000);
    t.equal((await attempt('asha', PASSWORD)).status, 200, 'the right password once the lock ends');
    t.equal(await fleet.repo.access.getLoginThrottle('asha'), undefined, 'and the failures are forgotten');
    t.equal((await attempt('asha', 'x')).status, 401);
    t.equal(await fleet.repo.access.getLoginThrottle('asha').then((x) => x?.failures), 1, 'counting starts again');
  });

  t.test('jobs: operator with CSRF token and same origin; viewer refused; all in the audit log', async (t) => {
    const ops = await login(base, 'ops');
    const viewer = await login(base, 'asha');
    const job = (who: { cookie: string; csrf: string }, headers: Record<string, string> = {}) =>
      req('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, cookie: who.cookie, 'x-csrf-token': who.csrf, ...headers },
        body: JSON.stringify({ type: 'print.test', kioskId: 'RJ-JAI-0001', expiresInSec: 60 }),
      });
    const created = await job(ops);
    t.equal(created.status, 201);
    const { job: j } = (await created.json()) as { job: { jobId: string; createdBy: string } };
    t.equal(j.createdBy, 'ops');
    t.equal((await job(ops, { 'x-csrf-token': 'forged' })).status, 403, 'a wrong CSRF token');
    t.equal((await job(ops, { 'x-csrf-token': viewer.csrf })).status, 403, 'another session’s token');
    t.equal((await job(ops, { origin: 'http://evil.example' })).status, 403, 'another origin');
    const noToken = await req('/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json', origin, cookie: ops.cookie }, body: '{}' });
    t.equal(noToken.status, 403, 'no CSRF token');
    t.match(await noToken.json(), { detail: /CSRF/ });

    t.equal((await req('/api/overview', { headers: { cookie: viewer.cookie } })).status, 200, 'a viewer reads the fleet');
    t.equal((await req('/api/kiosks.csv', { headers: { cookie: viewer.cookie } })).status, 200);
    const refused = await job(viewer);
    t.equal(refused.status, 403, 'a viewer cannot send jobs');
    t.match(refused.headers.get('content-type'), /^application\/problem\+json/);
    t.match(await refused.json(), { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'the viewer role cannot send jobs' });
    t.equal((await req('/api/audit', { headers: { cookie: viewer.cookie } })).status, 403, 'nor read the audit log');
    t.match(await (await req('/api/session', { headers: { cookie: viewer.cookie } })).json(), { role: 'viewer', can: { sendJobs: false } });
    t.same((await fleet.repo.listJobs()).map((x) => x.jobId), [j.jobId], 'only the operator’s job exists');

    const audit = (await (await req('/api/audit', { headers: { cookie: ops.cookie } })).json()) as { entries: Record<string, unknown>[] };
    const sent = audit.entries.find((e) => e.action === 'job.create');
    t.match(sent, { username: 'ops', target: 'kiosk:RJ-JAI-0001', address: /127\.0\.0\.1/, detail: { jobId: j.jobId, type: 'print.test', kiosks: 1 } });
    t.ok(typeof sent?.at === 'number');
    t.match(audit.entries.find((e) => e.action === 'job.denied'), { username: 'asha' });
    t.ok(audit.entries.some((e) => e.action === 'login.failed' && e.username === 'nobody'), 'failed logins');
    t.ok(audit.entries.some((e) => e.action === 'login.locked' && e.username === 'asha'), 'locked attempts');
    t.ok(audit.entries.some((e) => e.action === 'login' && e.username === 'ops'), 'logins');
    t.notMatch(JSON.stringify(audit), PASSWORD, 'no password in the audit log');

    const admin = await login(base, 'root');
    const users = (await (await req('/api/users', { headers: { cookie: admin.cookie } })).json()) as { users: Record<string, unknown>[] };
    t.same(users.users.map((u) => [u.username, u.role]), [['asha', 'viewer'], ['ops', 'operator'], ['root', 'admin']]);
    t.notMatch(JSON.stringify(users), /scrypt/, 'no hashes over the API');
    t.equal((await req('/api/users', { headers: { cookie: ops.cookie } })).status, 403);
  });

  t.test('sessions end: logout, idle, absolute, removed user; the stream closes with its session', async (t) => {
    const ops = await login(base, 'ops');
    const session = (c: string) => req('/api/session', { headers: { cookie: c } }).then((r) => r.status);
    const stream = await req('/api/stream', { headers: { cookie: ops.cookie } });
    t.equal(stream.status, 200);
    const reader = stream.body!.getReader();
    t.equal((await req('/api/logout', { method: 'POST', headers: { origin, cookie: ops.cookie } })).status, 403, 'logout needs the CSRF token');
    const out = await req('/api/logout', { method: 'POST', headers: { origin, cookie: ops.cookie, 'x-csrf-token': ops.csrf } });
    t.equal(out.status, 200);
    t.match(out.headers.get('set-cookie'), /Max-Age=0/);
    t.equal(await session(ops.cookie), 401, 'logged out');
    for (;;) if ((await reader.read()).done) break;
    t.pass('the live stream ended with the session');

    const idle = await login(base, 'ops');
    clock.advance(29 * 60_000);
    t.equal(await session(idle.cookie), 200, 'used within 30 min');
    clock.advance(29 * 60_000);
    t.equal(await session(idle.cookie), 200, 'each use restarts the idle time');
    clock.advance(30 * 60_000);
    t.equal(await session(idle.cookie), 401, 'idle 30 min: ended');

    const long = await login(base, 'ops');
    let lasted = 0;
    while ((await session(long.cookie)) === 200 && lasted < 24 * 60) {
      clock.advance(25 * 60_000);
      lasted += 25;
    }
    t.equal(lasted, 725, 'in use every 25 min, it ended at the first use past 12 h (720 min)');

    const gone = await login(base, 'asha');
    await fleet.repo.access.removeUser('asha');
    t.equal(await session(gone.cookie), 401, 'a removed user is out at once');
  });
});

t.test('behind a TLS proxy: the cookie is Secure and only an https:// Origin may change anything', async (t) => {
  const fleet = await startFleet(
    embeddedFleetOptions(t, {
      operations: { http: { host: '127.0.0.1', port: 0, secureCookie: true }, publisher: { publish: () => Promise.resolve(), close: () => Promise.resolve() } },
    }),
  );
  t.teardown(() => fleet.close());
  const base = (await fleet.ops.http)!.url;
  await addUser(fleet, 'ops', 'operator');
  const host = new URL(base).host;
  const attempt = (origin: string) =>
    fetch(new URL('/api/login', base), { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ username: 'ops', password: PASSWORD }) });
  t.equal((await attempt(`http://${host}`)).status, 403, 'plain http:// is another origin');
  const res = await attempt(`https://${host}`);
  t.equal(res.status, 200);
  t.match(res.headers.get('set-cookie'), /; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
  t.equal((await fetch(new URL('/metrics', base))).status, 200, 'no metrics token set: /metrics is open (internal network)');
});
