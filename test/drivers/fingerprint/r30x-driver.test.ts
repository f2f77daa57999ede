// The R30x driver against the simulator over an in-memory link, on virtual time: every operation,
// every failure path, and the rule that biometric bytes never reach a log line or an error.
import t from 'tap';
import { R30xDriver, type R30xDriverOptions } from '../../../drivers/fingerprint/r30x/driver.js';
import { R30xSimulator, FAST_TIMING, type R30xSimulatorOptions } from '../../../drivers/fingerprint/r30x-simulator.js';
import { isFingerprintError } from '../../../drivers/fingerprint/errors.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import { AutoClock, memoryLink } from './fixtures/helpers.js';

function rig(simOpts: R30xSimulatorOptions = {}, drvOpts: Partial<R30xDriverOptions> = {}) {
  const clock = new AutoClock();
  const sim = new R30xSimulator({ timing: FAST_TIMING, now: clock.now, setTimeout: clock.setTimeout, ...simOpts });
  const link = memoryLink(sim);
  const records: LogRecord[] = [];
  const driver = new R30xDriver({
    path: '/dev/serial/by-id/usb-sim-fp',
    timers: clock,
    openPort: link.openPort,
    logger: recordingLogger(records),
    backoff: { baseMs: 200, capMs: 5000 },
    random: () => 0.5,
    ...drvOpts,
  });
  return { clock, sim, link, driver, records };
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isFingerprintError(e) ? e.code : `other: ${String(e)}`;
  }
};

t.test('handshake: VfyPwd, ReadSysPara, TemplateNum → ready with health', async (t) => {
  const { driver, sim } = rig();
  const states: string[] = [];
  driver.on('state', (s) => states.push(s));
  await driver.start();
  t.equal(driver.state, 'ready');
  t.same(states, ['connecting', 'ready']);
  t.same(sim.received, ['VfyPwd', 'ReadSysPara', 'TemplateNum']);
  const h = driver.health();
  t.match(h, { state: 'ready', templateCount: 0, params: { capacity: 200, securityLevel: 3, packetSize: 128, baudRate: 57600, systemId: 0 } });
  await driver.stop();
  t.equal(driver.state, 'stopped');
});

t.test('enroll three fingers, identify each, reject an unknown one, verify, delete, clear', async (t) => {
  const { driver, sim } = rig();
  await driver.start();
  const slots: number[] = [];
  for (const f of ['asha-right-thumb', 'ravi-left-index', 'meena-right-index']) {
    sim.touch({ finger: f, afterPolls: 3 }, { finger: f, afterPolls: 2 });
    slots.push((await driver.ops.enroll()).slot);
  }
  t.same(slots, [0, 1, 2], 'first free slots in order');
  t.equal(driver.health().templateCount, 3);
  for (const [i, f] of ['asha-right-thumb', 'ravi-left-index', 'meena-right-index'].entries()) {
    sim.touch({ finger: f });
    const m = await driver.ops.identify();
    t.equal(m?.slot, slots[i], `identified ${f}`);
    t.ok(m && m.score > 0, 'with a score');
  }
  sim.touch({ finger: 'stranger' });
  t.equal(await driver.ops.identify(), null, 'unknown finger is rejected');

  sim.touch({ finger: 'ravi-left-index' });
  t.match(await driver.ops.verify(1), { matched: true });
  sim.touch({ finger: 'stranger' });
  t.same(await driver.ops.verify(1), { matched: false, score: 0 });
  t.equal(await codeOf(driver.ops.verify(150)), 'FP_EMPTY_SLOT');

  await driver.ops.delete(1);
  t.same(await driver.ops.slots(), [0, 2]);
  sim.touch({ finger: 'x', afterPolls: 1 }, { finger: 'x' });
  t.equal((await driver.ops.enroll()).slot, 1, 'a freed slot is reused');
  await driver.ops.clear();
  t.equal(driver.health().templateCount, 0);
  t.same(await driver.ops.slots(), []);
  await driver.stop();
});

t.test('enrolment failures are typed', async (t) => {
  const { driver, sim } = rig({ capacity: 1 });
  await driver.start();
  sim.touch({ finger: 'a' }, { finger: 'b' });
  t.equal(await codeOf(driver.ops.enroll()), 'FP_ENROLL_MISMATCH', 'two different fingers');
  sim.touch({ finger: 'a', quality: 'poor' });
  t.equal(await codeOf(driver.ops.enroll()), 'FP_POOR_QUALITY');
  sim.touch({ finger: 'a', quality: 'messy' });
  t.equal(await codeOf(driver.ops.identify()), 'FP_POOR_QUALITY');
  sim.touch({ finger: 'a' }, { finger: 'a' });
  t.same(await driver.ops.enroll(), { slot: 0 });
  sim.touch({ finger: 'a' }, { finger: 'a' });
  t.equal(await codeOf(driver.ops.enroll()), 'FP_ALREADY_ENROLLED');
  sim.lift(); // the second touch of the refused enrolment is never taken
  sim.touch({ finger: 'c' }, { finger: 'c' });
  t.equal(await codeOf(driver.ops.enroll()), 'FP_LIBRARY_FULL', 'capacity 1');
  sim.touch({ finger: 'd', quality: 'capture-fail', holdImages: 1 }, { finger: 'd' });
  t.equal(await driver.ops.identify(), null, 'a failed image (0x03) is retried within the deadline');
  await driver.stop();
});

t.test('capture deadline: no finger → FP_CAPTURE_TIMEOUT after the deadline, reader stays ready', async (t) => {
  const { driver, clock, sim } = rig();
  await driver.start();
  const t0 = clock.now();
  t.equal(await codeOf(driver.ops.identify({ deadlineMs: 3000 })), 'FP_CAPTURE_TIMEOUT');
  t.ok(clock.now() - t0 >= 3000 && clock.now() - t0 < 3300, `waited ${clock.now() - t0} virtual ms`);
  t.ok(sim.received.filter((c) => c === 'GenImg').length >= 25, 'polled GenImg');
  t.equal(driver.state, 'ready');
  sim.place('held-finger');
  t.equal(await codeOf(driver.ops.enroll({ deadlineMs: 2000 })), 'FP_CAPTURE_TIMEOUT', 'finger never lifted');
  await driver.stop();
});

t.test('faults on the line: silence and bad checksums time out, garbage is skipped, then recovery', async (t) => {
  const { driver, sim, records } = rig();
  await driver.start();
  sim.fault('silence');
  t.equal(await codeOf(driver.ops.slots()), 'FP_TIMEOUT');
  sim.fault('bad-checksum');
  t.equal(await codeOf(driver.ops.slots()), 'FP_TIMEOUT');
  t.ok(records.some((r) => r.msg === 'discarded bytes from the reader' && (r.obj as { reason: string }).reason === 'bad-checksum'));
  sim.fault('garbage');
  t.same(await driver.ops.slots(), [], 'garbage before a reply is skipped');
  t.equal(driver.state, 'ready');
  t.equal(driver.health().lastError?.code, 'FP_TIMEOUT');
  await driver.stop();
});

t.test('password: a wrong one is state failed with FP_WRONG_PASSWORD; the right one works', async (t) => {
  const bad = rig({ password: 0x1234 }, { password: 0x9999 });
  await bad.driver.start();
  t.equal(bad.driver.state, 'failed');
  t.equal(bad.driver.health().lastError?.code, 'FP_WRONG_PASSWORD');
  t.equal(await codeOf(bad.driver.ops.identify()), 'FP_NOT_READY');
  await bad.driver.stop();
  const good = rig({ password: 0x1234 }, { password: 0x1234 });
  await good.driver.start();
  t.equal(good.driver.state, 'ready');
  await good.driver.stop();
});

t.test('unplug mid-capture: clear error for that capture, backoff while absent, full recovery', async (t) => {
  const { driver, sim, link, clock } = rig();
  await driver.start();
  sim.touch({ finger: 'asha' }, { finger: 'asha' });
  await driver.ops.enroll();
  const capture = driver.ops.identify({ deadlineMs: 10_000 });
  setImmediate(() => link.unplug());
  const err = await capture.then(() => undefined, (e: unknown) => e);
  t.ok(isFingerprintError(err, 'FP_DISCONNECTED'), 'the capture fails with FP_DISCONNECTED');
  t.match((err as Error).message, /disconnected/);
  t.equal(driver.state, 'disconnected');
  t.equal(await codeOf(driver.ops.identify()), 'FP_NOT_READY', 'new work is refused while absent');
  const opensBefore = link.opens;
  await new Promise((r) => setTimeout(r, 20));
  t.ok(link.opens > opensBefore, 'keeps retrying the port');
  link.plug();
  await driver.whenReady(60_000);
  t.ok(clock.now() > 0);
  sim.touch({ finger: 'asha' });
  t.match(await driver.ops.identify(), { slot: 0 }, 'the library survived and identify works again');
  t.ok(driver.health().reconnects >= 1);
  await driver.stop();
});

t.test('operations before start are refused with FP_NOT_READY', async (t) => {
  const { driver } = rig();
  t.equal(await codeOf(driver.ops.identify()), 'FP_NOT_READY');
});

t.test('biometric bytes never appear in a log line or an error', async (t) => {
  const { driver, sim, records } = rig();
  await driver.start();
  const errors: unknown[] = [];
  sim.touch({ finger: 'secret-finger' }, { finger: 'secret-finger' });
  await driver.ops.enroll();
  sim.touch({ finger: 'secret-finger' });
  await driver.ops.identify();
  const image = await driver.ops.uploadImage();
  t.equal(image.length, 36864);
  sim.fault('garbage', 'bad-checksum');
  await driver.ops.slots().catch((e: unknown) => errors.push(e));
  await driver.ops.slots().catch((e: unknown) => errors.push(e));
  sim.touch({ finger: 'secret-finger', quality: 'poor' });
  await driver.ops.identify().catch((e: unknown) => errors.push(e));
  t.ok(errors.length >= 1);

  const text = JSON.stringify(records) + errors.map((e) => `${String(e)} ${JSON.stringify(e)}`).join('\n');
  const hex = (b: Uint8Array): string => Buffer.from(b.subarray(0, 12)).toString('hex');
  const b64 = (b: Uint8Array): string => Buffer.from(b.subarray(0, 12)).toString('base64');
  for (const tpl of [...sim.library.values(), image, image.subarray(4000)]) {
    t.notOk(text.toLowerCase().includes(hex(tpl)), 'no template/image hex');
    t.notOk(text.includes(b64(tpl)), 'no template/image base64');
  }
  const hasBytes = records.some((r) => Object.values(r.obj).some((v) => v instanceof Uint8Array || Array.isArray(v)));
  t.notOk(hasBytes, 'no byte arrays in log fields');
  await driver.stop();
});
