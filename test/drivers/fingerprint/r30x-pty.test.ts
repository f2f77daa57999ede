// Acceptance (issue 4): the R30x driver against the simulator over a real pty pair made by socat,
// opened on both ends by the real serialport bindings. Real time, short bounds.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { R30xDriver } from '../../../drivers/fingerprint/r30x/driver.js';
import { R30xSimulator, type SimTiming } from '../../../drivers/fingerprint/r30x-simulator.js';
import { R30xPtySimulator } from '../../../drivers/fingerprint/r30x-pty.js';
import { isFingerprintError } from '../../../drivers/fingerprint/errors.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';

// Module processing shortened tenfold; the line itself is paced at the real 57,600 baud.
const TIMING: SimTiming = { perInstructionMs: { GenImg: 12, Img2Tz: 18, Search: 8, RegModel: 6, Store: 4 }, defaultMs: 1, paceAtBaud: true };

t.test('enroll three, identify each, reject unknown, survive unplug/replug mid-capture', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fp-pty-'));
  const sim = new R30xSimulator({ timing: TIMING });
  const pty = new R30xPtySimulator(sim, dir);
  const records: LogRecord[] = [];
  const driver = new R30xDriver({
    path: pty.hostPath,
    logger: recordingLogger(records),
    backoff: { baseMs: 50, capMs: 400 },
    pollMs: 20,
  });
  t.teardown(async () => {
    await driver.stop();
    await pty.unplug();
    await rm(dir, { recursive: true, force: true });
  });
  const states: string[] = [];
  driver.on('state', (s) => states.push(s));

  await pty.plug();
  await driver.start();
  await driver.whenReady(5000);
  t.match(driver.health(), { state: 'ready', params: { capacity: 200, baudRate: 57600 }, templateCount: 0 });

  const fingers = ['asha-right-thumb', 'ravi-left-index', 'meena-right-index'];
  const slots: number[] = [];
  for (const f of fingers) {
    sim.touch({ finger: f, afterPolls: 2 }, { finger: f, afterPolls: 1 });
    slots.push((await driver.ops.enroll({ deadlineMs: 5000 })).slot);
  }
  t.same(slots, [0, 1, 2], 'three fingers enrolled');
  for (const [i, f] of fingers.entries()) {
    sim.touch({ finger: f, afterPolls: 1 });
    t.match(await driver.ops.identify({ deadlineMs: 5000 }), { slot: slots[i] }, `identified ${f}`);
  }
  sim.touch({ finger: 'stranger' });
  t.equal(await driver.ops.identify({ deadlineMs: 5000 }), null, 'unknown finger rejected');

  // Unplug in the middle of a capture: the operator's finger never arrives, the cable goes.
  const capture = driver.ops.identify({ deadlineMs: 8000 });
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  await pty.unplug();
  const err = await capture.then(() => undefined, (e: unknown) => e);
  t.ok(isFingerprintError(err, 'FP_DISCONNECTED'), 'that capture fails with FP_DISCONNECTED');
  t.ok(Date.now() - t0 < 2000, `reported promptly (${Date.now() - t0} ms)`);
  t.equal(driver.state === 'disconnected' || driver.state === 'connecting', true, `state ${driver.state}`);
  t.equal(driver.health().lastError?.code, 'FP_DISCONNECTED');
  await new Promise((r) => setTimeout(r, 300)); // absent for a while: retries fail, nothing exits

  await pty.plug();
  await driver.whenReady(5000);
  sim.touch({ finger: 'ravi-left-index' });
  t.match(await driver.ops.identify({ deadlineMs: 5000 }), { slot: 1 }, 'full recovery: identify works again');
  t.equal(driver.health().templateCount, 3, 'the module kept its library');
  t.ok(states.includes('disconnected'), 'went through disconnected');
  t.equal(states.at(-1), 'ready');
  t.ok(records.some((r) => r.msg === 'fingerprint reader disconnected'), 'logged the unplug');
});

t.test('line faults over the pty: a corrupted reply times out the command, the next one works', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fp-pty-'));
  const sim = new R30xSimulator({ timing: TIMING, readyByte: true, systemId: 9 });
  const pty = new R30xPtySimulator(sim, dir, 'r503');
  const driver = new R30xDriver({ path: pty.hostPath, backoff: { baseMs: 50, capMs: 400 }, timeouts: { default: 300 } });
  t.teardown(async () => {
    await driver.stop();
    await pty.unplug();
    await rm(dir, { recursive: true, force: true });
  });
  await pty.plug();
  await driver.start();
  await driver.whenReady(5000);
  t.equal(driver.health().params?.systemId, 9, 'R503 system id');
  sim.fault('bad-checksum');
  await t.rejects(driver.ops.slots(), { code: 'FP_TIMEOUT' });
  sim.fault('garbage');
  t.same(await driver.ops.slots(), []);
  t.equal(driver.state, 'ready');
});
