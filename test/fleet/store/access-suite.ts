/**
 * The access half of the repository contract (users, sessions, login throttle, audit log),
 * written once and run against SQLite and PostgreSQL.
 */
import type { Test } from 'tap';
import type { FleetRepository, SessionRecord } from '../../../fleet/store/repository.js';

export function accessSuite(t: Test, open: (t: Test) => Promise<FleetRepository>): void {
  const session = (id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
    id,
    username: 'ops',
    csrf: `csrf-${id}`,
    createdAt: 1000,
    lastSeenAt: 1000,
    expiresAt: 1_000_000,
    address: '127.0.0.1',
    ...over,
  });

  t.test('access: users are unique, listed by name, and lose their sessions with a new password or removal', async (t) => {
    const { access } = await open(t);
    t.equal(await access.addUser({ username: 'ops', role: 'operator', passwordHash: 'scrypt$h1', createdAt: 1, updatedAt: 1 }), true);
    t.equal(await access.addUser({ username: 'ops', role: 'viewer', passwordHash: 'scrypt$h2', createdAt: 2, updatedAt: 2 }), false, 'a taken name');
    t.equal(await access.addUser({ username: 'asha', role: 'viewer', passwordHash: 'scrypt$h3', createdAt: 3, updatedAt: 3 }), true);
    t.same((await access.listUsers()).map((u) => [u.username, u.role]), [['asha', 'viewer'], ['ops', 'operator']]);
    t.same(await access.getUser('ops'), { username: 'ops', role: 'operator', passwordHash: 'scrypt$h1', createdAt: 1, updatedAt: 1 });
    t.equal(await access.getUser('nobody'), undefined);

    await access.createSession(session('s1'));
    await access.createSession(session('s2', { username: 'asha' }));
    t.same(await access.getSession('s1'), session('s1'));
    t.equal(await access.setPassword('ops', 'scrypt$new', 50), true);
    t.equal(await access.getSession('s1'), undefined, 'a new password ends the sessions');
    t.match(await access.getUser('ops'), { passwordHash: 'scrypt$new', updatedAt: 50 });
    t.equal(await access.setPassword('nobody', 'x', 50), false);
    t.equal(await access.removeUser('asha'), true);
    t.equal(await access.getSession('s2'), undefined, 'removal ends the sessions');
    t.equal(await access.removeUser('asha'), false);
  });

  t.test('access: sessions are touched, deleted and purged when ended', async (t) => {
    const { access } = await open(t);
    await access.createSession(session('a', { lastSeenAt: 100, expiresAt: 10_000 }));
    await access.createSession(session('b', { lastSeenAt: 5000, expiresAt: 6000 }));
    await access.createSession(session('c', { lastSeenAt: 5000, expiresAt: 10_000 }));
    await access.touchSession('a', 4000);
    await access.touchSession('a', 3000);
    t.equal((await access.getSession('a'))?.lastSeenAt, 4000, 'a touch never moves the last use back');
    t.equal(await access.purgeSessions(7000, 4500), 2, 'one past its absolute end, one idle');
    t.ok(await access.getSession('c'));
    await access.deleteSession('c');
    t.equal(await access.getSession('c'), undefined);
  });

  t.test('access: failed logins count up atomically and clear', async (t) => {
    const { access } = await open(t);
    const lockFor = (n: number) => (n >= 3 ? 1000 * n : 0);
    await Promise.all(Array.from({ length: 4 }, (_, i) => access.noteLoginFailure('ops', 100 + i, lockFor)));
    t.match(await access.getLoginThrottle('ops'), { username: 'ops', failures: 4 }, 'no failure lost');
    t.same(await access.noteLoginFailure('ops', 500, lockFor), { username: 'ops', failures: 5, lockedUntil: 5500, lastFailureAt: 500 });
    t.same(await access.noteLoginFailure('ghost', 600, lockFor), { username: 'ghost', failures: 1, lockedUntil: 0, lastFailureAt: 600 }, 'unknown names too');
    await access.clearLoginFailures('ops');
    t.equal(await access.getLoginThrottle('ops'), undefined);
  });

  t.test('access: the audit log keeps who, what, where; newest first, paged', async (t) => {
    const { access } = await open(t);
    for (let i = 1; i <= 5; i++) {
      await access.addAudit({ at: i, username: 'ops', action: 'job.create', target: `kiosk:RJ-JAI-000${i}`, detail: { jobId: `j-${i}`, type: 'print.test' }, address: '10.0.0.7' });
    }
    const all = await access.listAudit(10);
    t.same(all.map((e) => e.target), ['kiosk:RJ-JAI-0005', 'kiosk:RJ-JAI-0004', 'kiosk:RJ-JAI-0003', 'kiosk:RJ-JAI-0002', 'kiosk:RJ-JAI-0001']);
    t.match(all[0], { at: 5, username: 'ops', action: 'job.create', detail: { jobId: 'j-5', type: 'print.test' }, address: '10.0.0.7' });
    const page = await access.listAudit(2, all[1]!.id);
    t.same(page.map((e) => e.at), [3, 2]);
  });
}
