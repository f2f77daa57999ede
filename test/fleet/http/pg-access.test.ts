/**
 * Dashboard access on PostgreSQL with two fleet instances behind one database (the production
 * layout): users made with `kiosk-fleet user add --db postgres://…`, a session opened on one
 * instance valid on the other, a lockout counted across both, logout ending it everywhere.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../fleet/cli.js';
import { silentLogger } from '../../../fleet/log.js';
import { startFleet } from '../../../fleet/serve.js';
import { emptyKiosk } from '../../../fleet/store/repository.js';
import { PG_BIN, startPostgres } from '../fixtures/postgres.js';
import { tempDir } from '../fixtures/helpers.js';
import { login, PASSWORD } from './fixture.js';

t.test('access shared by two instances on PostgreSQL', { skip: PG_BIN ? false : 'no PostgreSQL server installed' }, async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  const db = await server.createDatabase();
  const dir = tempDir(t);
  writeFileSync(join(dir, 'pw'), `${PASSWORD}\n`);
  for (const [user, role] of [['ops', 'operator'], ['asha', 'viewer']]) {
    const err = new PassThrough();
    let text = '';
    err.on('data', (d: Buffer) => (text += d.toString()));
    t.equal(await run(['user', 'add', user!, '--role', role!, '--password-file', join(dir, 'pw'), '--db', db], { stdout: new PassThrough(), stderr: err }), 0, text);
  }
  const instance = async () => {
    const fleet = await startFleet({
      mqttUrl: 'mqtt://unused',
      embeddedBroker: { host: '127.0.0.1', port: 0 },
      db,
      shareGroup: 'g',
      heartbeatMisses: 3,
      log: silentLogger,
      operations: { http: { host: '127.0.0.1', port: 0 }, publisher: { publish: () => Promise.resolve(), close: () => Promise.resolve() } },
    });
    t.teardown(() => fleet.close());
    return { fleet, base: (await fleet.ops.http)!.url };
  };
  const a = await instance();
  const b = await instance();
  await a.fleet.repo.updateKiosk('RJ-JAI-0001', () => ({ ...emptyKiosk('RJ-JAI-0001'), district: 'Jaipur' }));

  const ops = await login(a.base, 'ops');
  const session = (base: string, cookie: string) => fetch(new URL('/api/session', base), { headers: { cookie } }).then((r) => r.status);
  t.equal(await session(b.base, ops.cookie), 200, 'a session from instance A is valid on B');
  const job = await fetch(new URL('/api/jobs', b.base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: b.base.replace(/\/$/, ''), cookie: ops.cookie, 'x-csrf-token': ops.csrf },
    body: JSON.stringify({ type: 'diagnostics', kioskId: 'RJ-JAI-0001', expiresInSec: 60 }),
  });
  t.equal(job.status, 201, 'and sends a job through B with the CSRF token from A');
  const viewer = await login(b.base, 'asha');
  const refused = await fetch(new URL('/api/jobs', a.base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: a.base.replace(/\/$/, ''), cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
    body: JSON.stringify({ type: 'diagnostics', kioskId: 'RJ-JAI-0001' }),
  });
  t.equal(refused.status, 403, 'a viewer is refused on either instance');

  const attempt = (base: string, password: string) =>
    fetch(new URL('/api/login', base), { method: 'POST', headers: { 'content-type': 'application/json', origin: base.replace(/\/$/, '') }, body: JSON.stringify({ username: 'asha', password }) }).then((r) => r.status);
  for (let i = 0; i < 5; i++) t.equal(await attempt(i % 2 ? a.base : b.base, `wrong password ${i}`), 401);
  t.equal(await attempt(a.base, PASSWORD), 429, 'failures on both instances add up to one lockout');

  const out = await fetch(new URL('/api/logout', a.base), { method: 'POST', headers: { origin: a.base.replace(/\/$/, ''), cookie: ops.cookie, 'x-csrf-token': ops.csrf } });
  t.equal(out.status, 200);
  t.equal(await session(b.base, ops.cookie), 401, 'logged out on A, out on B too');
  const audit = await a.fleet.repo.access.listAudit(50);
  t.match(audit.find((e) => e.action === 'job.create'), { username: 'ops', target: 'kiosk:RJ-JAI-0001', detail: { type: 'diagnostics' } });
  t.ok(audit.some((e) => e.action === 'user.add' && e.target === 'user:asha'), 'the console’s user.add in the same log');
});
