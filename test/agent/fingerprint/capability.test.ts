// The fingerprint capability against the simulators: the R30x module on a real socat pty (real
// serialport bindings, real time, short backoff) and the RD service on loopback polled on
// manual timers. State goes into the registry; events are sent on transitions only.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCapability } from '../../../agent/fingerprint/capability.js';
import type { FingerprintReaders } from '../../../agent/fingerprint/readers.js';
import { R30xSimulator, type SimTiming } from '../../../drivers/fingerprint/r30x-simulator.js';
import { R30xPtySimulator } from '../../../drivers/fingerprint/r30x-pty.js';
import { RdServiceClient } from '../../../drivers/fingerprint/rd-service/client.js';
import { RdServiceSimulator } from '../../../drivers/fingerprint/rd-service-simulator.js';
import { fakeContext, ManualTimers, waitFor } from './fixtures.js';

const TIMING: SimTiming = { perInstructionMs: { GenImg: 5, Img2Tz: 5 }, defaultMs: 1, paceAtBaud: true };
const count = (events: { type: string }[], type: string): number => events.filter((e) => e.type === type).length;

t.test('R30x on a real pty: connected, unplug → disconnected once however many retries, replug → connected', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fp-cap-'));
  const sim = new R30xSimulator({ timing: TIMING });
  sim.library.set(0, sim.templateFor('operator-asha'));
  const pty = new R30xPtySimulator(sim, dir);
  await pty.plug();
  const { ctx, events, devices, router } = fakeContext({ r30x: { path: pty.hostPath, password: 0, backoff: { baseMs: 30, capMs: 120 } } });
  const running = await fingerprintCapability().start(ctx);
  t.teardown(async () => {
    await running?.stop();
    await pty.unplug();
    await rm(dir, { recursive: true, force: true });
  });
  t.ok(router.match('GET', '/v1/fingerprint') !== 'no-path', 'technician endpoints registered');

  await waitFor(() => devices.snapshot()['fingerprint']?.state === 'ok', 5000, 'reader ok');
  t.match(devices.snapshot()['fingerprint'], { state: 'ok', detail: '1/200 templates', reader: 'r30x', path: pty.hostPath, templateCount: 1, params: { capacity: 200 } });
  await waitFor(() => count(events, 'reader.connected') === 1, 2000, 'reader.connected');
  t.match(events[0], { type: 'reader.connected', severity: 'info', data: { reader: 'r30x' } });

  await pty.unplug();
  await waitFor(() => devices.snapshot()['fingerprint']?.state === 'disconnected', 5000, 'state disconnected');
  // With a 30-120 ms backoff the driver retries many times in a second; none is an event.
  await new Promise((r) => setTimeout(r, 800));
  t.equal(count(events, 'reader.disconnected'), 1, 'reader.disconnected once');
  t.match(events.find((e) => e.type === 'reader.disconnected'), { severity: 'warning', data: { reader: 'r30x', code: 'FP_DISCONNECTED' } });
  t.equal(devices.snapshot()['fingerprint']?.state, 'disconnected', 'still disconnected between retries');
  t.notOk('reconnects' in devices.snapshot()['fingerprint']!, 'the retry count is not in state (it would change it on every retry)');

  await pty.plug();
  await waitFor(() => count(events, 'reader.connected') === 2, 5000, 'reader.connected again');
  t.equal(devices.snapshot()['fingerprint']?.state, 'ok');
  t.same(
    events.map((e) => e.type),
    ['reader.connected', 'reader.disconnected', 'reader.connected'],
    'exactly the transitions, in order',
  );
  for (const e of events) t.same(Object.keys(e.data).filter((k) => !['reader', 'code', 'detail', 'status'].includes(k)), [], `${e.type}: codes and text only`);
});

t.test('an absent reader at start is state absent, no event; stop() ends the retries', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fp-cap-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { ctx, events, devices } = fakeContext({ r30x: { path: join(dir, 'nothing'), backoff: { baseMs: 20, capMs: 100 } } });
  const running = await fingerprintCapability().start(ctx);
  await waitFor(() => devices.snapshot()['fingerprint'] !== undefined, 2000, 'first attempt');
  t.match(devices.snapshot()['fingerprint'], { state: 'absent', detail: `not found at ${join(dir, 'nothing')}` });
  await running!.stop();
  await new Promise((r) => setTimeout(r, 100));
  t.same(events, [], 'no event for a reader never seen');
});

t.test('a disabled reader is reported disabled and never opened', async (t) => {
  const { ctx, devices } = fakeContext({ r30x: { enabled: false, path: '/dev/ttyUSB0' } });
  const running = await fingerprintCapability().start(ctx);
  t.match(devices.snapshot()['fingerprint'], { state: 'disabled' });
  await running?.stop();
});

t.test('RD service health: polled periodically, events on READY / NOTREADY / gone transitions only', async (t) => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sim = new RdServiceSimulator({ uidaiPublicKey: publicKey, info: 'Simulated RD (capability test)' });
  const port = await sim.listen(0);
  t.teardown(() => sim.close());
  const timers = new ManualTimers();
  const rd = new RdServiceClient({ probes: [{ scheme: 'http', port }], probeTimeoutMs: 1000 });
  let readers: FingerprintReaders | undefined;
  const { ctx, events, devices } = fakeContext({ rd: { enabled: true, healthPollSec: 30 } });
  const running = await fingerprintCapability({ rd, timers, onStarted: (r) => (readers = r) }).start(ctx);
  t.teardown(() => running?.stop());

  await waitFor(() => devices.snapshot()['rdService'] !== undefined, 3000, 'first poll');
  t.match(devices.snapshot()['rdService'], { state: 'ok', detail: 'Simulated RD (capability test)', reader: 'rd', status: 'READY', port, scheme: 'http', rdsId: /./ });
  t.same(timers.pending.map((p) => p.ms), [30_000], 'next poll in healthPollSec');
  t.same(events.map((e) => e.type), ['reader.connected']);

  // The periodic timer fires: READY again, no event.
  timers.fire();
  await readers!.pollRdNow();
  t.same(events.map((e) => e.type), ['reader.connected'], 'unchanged health, no event');

  sim.opts.status = 'NOTREADY';
  await readers!.pollRdNow();
  await readers!.pollRdNow();
  t.match(devices.snapshot()['rdService'], { state: 'fault', status: 'NOTREADY' });
  t.same(events.map((e) => e.type), ['reader.connected', 'reader.not_ready'], 'NOTREADY twice, one event');
  t.match(events[1]!.data, { reader: 'rd', status: 'NOTREADY' });

  sim.opts.status = 'USED';
  await readers!.pollRdNow();
  t.match(devices.snapshot()['rdService'], { state: 'degraded', detail: 'in use by another application' });
  t.equal(events.at(-1)!.type, 'reader.connected', 'USED is usable (BioEnable answers USED when ready)');

  await sim.close();
  await readers!.pollRdNow();
  t.match(devices.snapshot()['rdService'], { state: 'disconnected', status: 'ABSENT' });
  t.match(events.at(-1), { type: 'reader.disconnected', data: { reader: 'rd' } });
  t.equal(timers.pending.length, 1, 'one poll scheduled at a time');

  await running!.stop();
  t.same(timers.pending, [], 'stop() cancels the next poll');
});

t.test('RD health is not polled without e-KYC unless asked for; with e-KYC it looks where e-KYC captures', async (t) => {
  const none = fakeContext({});
  const r1 = await fingerprintCapability({ timers: new ManualTimers() }).start(none.ctx);
  t.equal(none.devices.snapshot()['rdService'], undefined);
  await r1?.stop();

  const { rdClientOptions } = await import('../../../agent/fingerprint/readers.js');
  const opts = rdClientOptions({ rd: { ports: [11105], trustAnyLoopbackCert: true, captureTimeoutMs: 20_000 } } as never, ctxLogger());
  t.same(opts.probes, [
    { scheme: 'http', port: 11105 },
    { scheme: 'https', port: 11105 },
  ]);
  t.equal(opts.trustAnyLoopbackCert, true);
  t.equal(rdClientOptions(undefined, ctxLogger()).probes, undefined, 'default probes 11100-11120 without ekyc.rd');
});

function ctxLogger() {
  return { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: ctxLogger };
}

t.test('e-KYC captures through the same RD client: no health poll mid-capture; what a capture learns is reported at once', async (t) => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sim = new RdServiceSimulator({ uidaiPublicKey: publicKey, captureDelayMs: 300 });
  const port = await sim.listen(0);
  t.teardown(() => sim.close());
  const timers = new ManualTimers();
  let readers: FingerprintReaders | undefined;
  const { ctx, events, devices } = fakeContext({ rd: { enabled: true } });
  const cap = fingerprintCapability({ rd: new RdServiceClient({ probes: [{ scheme: 'http', port }] }), timers, onStarted: (r) => (readers = r) });
  await t.rejects(cap.rdCaptures.capture({ timeoutMs: 1000 }), { code: 'RD_NOT_FOUND' }, 'not started yet');
  const running = await cap.start(ctx);
  t.teardown(() => running?.stop());
  await waitFor(() => devices.snapshot()['rdService']?.state === 'ok', 3000, 'first poll');

  const before = sim.requests.length;
  const capture = cap.rdCaptures.capture({ timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 50));
  await readers!.pollRdNow();
  const during = sim.requests.slice(before).map((r) => r.method);
  const result = await capture;
  t.same(during, ['CAPTURE'], 'the poll did not talk to the RD service while the capture ran');
  t.equal(String(result.pid), '[PidData redacted]');

  sim.opts.status = 'NOTREADY';
  await t.rejects(cap.rdCaptures.capture({ timeoutMs: 1000 }), { code: 'RD_NOT_READY' });
  t.match(devices.snapshot()['rdService'], { state: 'fault', status: 'NOTREADY' }, 'state from the capture, before any poll');
  t.same(events.map((e) => e.type), ['reader.connected', 'reader.not_ready']);
  t.notMatch(JSON.stringify(events) + JSON.stringify(devices.snapshot()), /Data|Skey|Hmac/, 'no PID block anywhere');
});
