// Fingerprint login (issue 11) end to end in process: the business capability (sessions, the
// outbox) and the fingerprint capability on one real store, the API on a Unix socket, and the
// R30x simulator behind a real socat pty opened with the real serialport bindings. The login
// clock is the harness's fake one (lockouts); the reader runs on real time (the capture deadline).
import t, { type Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPin } from '../../../agent/auth/pin.js';
import type { AgentConfigInput } from '../../../agent/config/schema.js';
import { fingerprintCapability } from '../../../agent/fingerprint/capability.js';
import type { FingerprintReaders } from '../../../agent/fingerprint/readers.js';
import { R30xPtySimulator } from '../../../drivers/fingerprint/r30x-pty.js';
import { R30xSimulator, type SimTiming } from '../../../drivers/fingerprint/r30x-simulator.js';
import { startHarness, type Harness } from '../ledger/harness.js';

const TIMING: SimTiming = { perInstructionMs: { GenImg: 5, Img2Tz: 5, Search: 5 }, defaultMs: 1, paceAtBaud: true };

async function users() {
  const pinHash = await hashPin('1234', { N: 1024 });
  return [
    { user: 'asha', role: 'operator' as const, pinHash, fingerprintSlots: [0, 3] },
    { user: 'ravi', role: 'admin' as const, pinHash },
  ];
}

interface Rig {
  h: Harness;
  sim: R30xSimulator;
  fpLogin: (body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;
}

async function rig(t: Test, auth: NonNullable<AgentConfigInput['auth']>, withReader = true): Promise<Rig> {
  const sim = new R30xSimulator({ timing: TIMING });
  sim.library.set(0, sim.templateFor('asha-right-thumb'));
  // Enrolled on the module but tied to nobody in the configuration.
  sim.library.set(7, sim.templateFor('visitor'));
  const dir = await mkdtemp(join(tmpdir(), 'fpl-'));
  const pty = new R30xPtySimulator(sim, dir);
  if (withReader) await pty.plug();
  const fingerprint = withReader ? { fingerprint: { r30x: { path: pty.hostPath, backoff: { baseMs: 30, capMs: 120 } } } } : {};
  const h = await startHarness(t, { auth: auth, devices: fingerprint });
  const started: { readers?: FingerprintReaders } = {};
  const running = await fingerprintCapability({ onStarted: (r) => (started.readers = r) }).start(h.ctx);
  if (withReader) await started.readers?.driver?.whenReady(5000);
  t.teardown(async () => {
    await running?.stop();
    await h.stop();
    if (withReader) await pty.unplug();
    await rm(dir, { recursive: true, force: true });
  });
  return { h, sim, fpLogin: (body = {}) => h.call('POST', '/v1/login/fingerprint', body) };
}

t.test('a finger in a slot tied to a user logs that user in: the PIN login reply, a token that works', async (t) => {
  const { h, sim, fpLogin } = await rig(t, { users: await users(), maxFailures: 3, lockoutSec: 60, tokenTtlSec: 120 });
  sim.touch({ finger: 'asha-right-thumb' });
  const r = await fpLogin();
  t.equal(r.status, 200);
  t.same(Object.keys(r.body).sort(), ['expiresInSec', 'role', 'token', 'user'], 'the PIN login reply and nothing more: no slot, score or template');
  t.match(r.body, { user: 'asha', role: 'operator', expiresInSec: 120, token: /^[A-Za-z0-9_-]{40,}$/ });
  const wallet = await h.call('GET', '/v1/wallet', undefined, r.body['token'] as string);
  t.equal(wallet.status, 200, 'the token opens operator routes');
  t.ok(sim.received.includes('Search'), 'a 1:N search on the module');
});

t.test('no match, or a slot tied to nobody, counts toward a per-kiosk lock; the lock stops captures and runs out', async (t) => {
  const { h, sim, fpLogin } = await rig(t, { users: await users(), maxFailures: 3, lockoutSec: 60 });
  sim.touch({ finger: 'stranger' });
  const first = await fpLogin();
  t.equal(first.status, 401);
  t.match(first.body, { type: 'urn:kiosk-agent:problem:fingerprint-not-recognised', title_hi: /फिंगरप्रिंट/, detail: /2 attempts left/ });
  sim.touch({ finger: 'visitor' });
  const second = await fpLogin();
  t.equal(second.status, 401, 'enrolled on the module but tied to no user');
  t.match(second.body, { detail: /1 attempts left/ });
  sim.touch({ finger: 'stranger' });
  const third = await fpLogin();
  t.equal(third.status, 423);
  t.match(third.body, { type: 'urn:kiosk-agent:problem:login-locked', detail: /60 s/, title_hi: /लॉगिन बंद/ });

  const searches = sim.received.filter((i) => i === 'GenImg').length;
  sim.touch({ finger: 'asha-right-thumb' });
  t.equal((await fpLogin()).status, 423, "even Asha's finger is refused while the kiosk's fingerprint login is locked");
  t.equal(sim.received.filter((i) => i === 'GenImg').length, searches, 'no capture is attempted while locked');
  t.ok(await h.login('asha', '1234'), 'the PIN login is a different lock and still works');

  const locked = (await h.queued('events')).filter((e) => e['type'] === 'login.locked');
  t.equal(locked.length, 1, 'one login.locked event');
  t.match(locked[0], { data: { user: '*fingerprint', failures: 3, lockoutSec: 60 } });

  h.time.mono += 61_000;
  const ok = await fpLogin();
  t.equal(ok.status, 200, 'after the lockout the finger still on the reader logs in');
  t.match(ok.body, { user: 'asha' });
  sim.touch({ finger: 'stranger' });
  t.match((await fpLogin()).body, { detail: /2 attempts left/ }, 'a success starts the count afresh');
});

t.test('no finger before the deadline is 408 and not a failure; a user locked by wrong PINs is refused', async (t) => {
  const { h, sim, fpLogin } = await rig(t, { users: await users(), maxFailures: 3, lockoutSec: 60 });
  const started = Date.now();
  const timeout = await fpLogin({ deadlineMs: 1000 });
  t.equal(timeout.status, 408);
  t.match(timeout.body, { type: 'urn:kiosk-agent:problem:no-finger', title_hi: /उंगली/ });
  t.ok(Date.now() - started < 4000, 'the deadline holds');
  t.equal((await fpLogin({ deadlineMs: 500 })).status, 400, 'a deadline under 1 s is refused');

  sim.touch({ finger: 'stranger' });
  t.match((await fpLogin()).body, { detail: /2 attempts left/ }, 'the timeout did not count');

  for (let i = 0; i < 3; i++) await h.call('POST', '/v1/login', { user: 'asha', pin: '9999' });
  sim.touch({ finger: 'asha-right-thumb' });
  const r = await fpLogin();
  t.equal(r.status, 423, "Asha's login is locked by wrong PINs: her finger does not open it");
  sim.touch({ finger: 'stranger' });
  t.match((await fpLogin()).body, { detail: /1 attempts left/ }, "that refusal did not count against the kiosk's fingerprint login");
});

t.test('without an R30x reader the route answers 409 with a clear problem', async (t) => {
  const { fpLogin } = await rig(t, { users: await users() }, false);
  const r = await fpLogin();
  t.equal(r.status, 409);
  t.match(r.body, { type: 'urn:kiosk-agent:problem:fingerprint-login-unavailable', title: /no fingerprint reader is configured/, detail: /PIN/, detail_hi: /पिन/ });
});

t.test('a slot belongs to one user', async (t) => {
  const { AuthConfig } = await import('../../../agent/ledger/config.js');
  const pinHash = await hashPin('1234', { N: 1024 });
  const r = AuthConfig.safeParse({ users: [{ user: 'a', role: 'operator', pinHash, fingerprintSlots: [1] }, { user: 'b', role: 'admin', pinHash, fingerprintSlots: [2, 1] }] });
  t.notOk(r.success);
  t.match(r.error?.issues[0], { path: ['users', 1, 'fingerprintSlots'], message: "slot 1 is already a's" });
  t.ok(AuthConfig.safeParse({ users: [{ user: 'a', role: 'operator', pinHash, fingerprintSlots: [1, 2] }] }).success);
});
