/**
 * Login throttling per client address (issue 10 §5, OWASP Authentication cheat sheet "Login
 * Throttling"), over real HTTP with a fake clock: one address trying many names is locked with a
 * lock that doubles; other addresses are not; with --trust-proxy the address is X-Forwarded-For's
 * last hop (what the proxy appended), not what the client wrote before it, in the throttle and the
 * audit log; without it the header is ignored; a name cannot be chosen to lock an address.
 */
import t from 'tap';
import { startFleet } from '../../../fleet/serve.js';
import { embeddedFleetOptions, FakeClock } from '../fixtures/helpers.js';
import { addUser, PASSWORD } from './fixture.js';

async function dashboard(t: { teardown(fn: () => unknown): void }, trustProxy: boolean): Promise<{ clock: FakeClock; fleet: Awaited<ReturnType<typeof startFleet>>; attempt: (username: string, password: string, xff?: string) => Promise<Response> }> {
  const clock = new FakeClock(Date.now());
  const fleet = await startFleet(
    embeddedFleetOptions(t, {
      clock,
      operations: {
        http: { host: '127.0.0.1', port: 0, ...(trustProxy ? { trustProxy: true } : {}), access: { addressLockAfter: 4, addressLockBaseMs: 60_000 } },
        publisher: { publish: () => Promise.resolve(), close: () => Promise.resolve() },
      },
    }),
  );
  t.teardown(() => fleet.close());
  const base = (await fleet.ops.http)!.url;
  const origin = base.replace(/\/$/, '');
  await addUser(fleet, 'ops', 'operator');
  const attempt = (username: string, password: string, xff?: string): Promise<Response> =>
    fetch(new URL('/api/login', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, ...(xff !== undefined ? { 'x-forwarded-for': xff } : {}) },
      body: JSON.stringify({ username, password }),
    });
  return { clock, fleet, attempt };
}

t.test('behind a trusted proxy: one address trying many names is locked, by its last X-Forwarded-For hop', async (t) => {
  const { clock, fleet, attempt } = await dashboard(t, true);
  const names = ['asha', 'ravi', 'meena', 'ops'];
  for (const [i, n] of names.entries()) t.equal((await attempt(n, `wrong password ${i}`, '198.51.100.7')).status, 401, `failure ${i + 1} (${n})`);
  // The client may write anything before the proxy's entry; only the last hop counts.
  const locked = await attempt('ops', PASSWORD, '203.0.113.99, 198.51.100.7');
  t.equal(locked.status, 429, 'the address is locked after 4 failures across names, even with the right password');
  t.equal(locked.headers.get('retry-after'), '60');
  t.equal((await attempt('ops', PASSWORD, '198.51.100.7, 198.51.100.8')).status, 200, 'another client address logs in (a spoofed earlier entry does not lock it out)');
  t.equal(await fleet.repo.access.getLoginThrottle('ops').then((x) => x?.failures), undefined, 'one failure per name: no name lock involved');
  clock.advance(61_000);
  t.equal((await attempt('kiran', 'wrong again', '198.51.100.7')).status, 401, 'the lock ends');
  const longer = await attempt('ops', PASSWORD, '198.51.100.7');
  t.equal(longer.status, 429, 'the next failure locks again');
  t.equal(longer.headers.get('retry-after'), '120', 'for twice as long');
  clock.advance(121_000);
  t.equal((await attempt('ops', PASSWORD, '198.51.100.7')).status, 200, 'the right password once the lock ends');
  t.equal((await fleet.repo.access.getLoginThrottle('addr 198.51.100.7'))?.failures, 5, 'a success does not reset the address count');
  clock.advance(3_600_001);
  t.equal((await attempt('ops', 'wrong once more', '198.51.100.7')).status, 401);
  t.equal((await fleet.repo.access.getLoginThrottle('addr 198.51.100.7'))?.failures, 1, 'failures older than the window are forgotten');

  const audit = await fleet.repo.access.listAudit(100);
  t.ok(audit.some((e) => e.action === 'login.throttled' && e.address === '198.51.100.7' && e.target === 'address:198.51.100.7'), 'the throttled attempts are audited with the address');
  t.ok(audit.some((e) => e.action === 'login' && e.address === '198.51.100.8'), 'the audit log has the proxied client address');
  t.notOk(audit.some((e) => e.address === '127.0.0.1' || e.address === '::ffff:127.0.0.1' || e.address === '203.0.113.99'), 'neither the proxy nor a spoofed entry');

  // A name made to look like an address key counts against the sender's address only.
  for (let i = 0; i < 4; i++) await attempt('addr 198.51.100.30', `wrong ${i}`, '198.51.100.20');
  t.equal((await attempt('ops', PASSWORD, '198.51.100.30')).status, 200, 'nobody can lock an address by the name they type');
  t.equal((await attempt('ops', PASSWORD, '198.51.100.20')).status, 429, 'the sender is locked');
  t.equal((await attempt('ops', PASSWORD, 'not-an-address')).status, 200, 'a last hop that is no IP address falls back to the peer');
});

t.test('without --trust-proxy, X-Forwarded-For is ignored: the socket peer is the address', async (t) => {
  const { fleet, attempt } = await dashboard(t, false);
  for (let i = 0; i < 4; i++) t.equal((await attempt(`name${i}`, 'wrong password', `198.51.100.${i}`)).status, 401);
  t.equal((await attempt('ops', PASSWORD, '198.51.100.200')).status, 429, 'a forged header does not escape the lock');
  const audit = await fleet.repo.access.listAudit(100);
  t.ok(audit.length > 0 && audit.every((e) => !e.address.startsWith('198.51.100.')), 'the audit log has the peer, not the header');
});
