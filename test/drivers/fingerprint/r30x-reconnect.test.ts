// Hot-plug on virtual time: an absent reader is retried with jittered, capped backoff, the log
// is not flooded, stop() cancels the retry, and the link moves template data both ways.
import t from 'tap';
import { R30xDriver } from '../../../drivers/fingerprint/r30x/driver.js';
import { R30xLink } from '../../../drivers/fingerprint/r30x/link.js';
import { R30xSimulator, FAST_TIMING } from '../../../drivers/fingerprint/r30x-simulator.js';
import { recordingLogger, silentLogger, type LogRecord } from '../../../drivers/common/logger.js';
import { commands, DataCollector } from '../../../protocols/r30x/index.js';
import { AutoClock, memoryLink } from './fixtures/helpers.js';

t.test('absent at start: retries with growing, capped windows until the reader appears', async (t) => {
  const clock = new AutoClock();
  const sim = new R30xSimulator({ timing: FAST_TIMING, now: clock.now, setTimeout: clock.setTimeout });
  const link = memoryLink(sim);
  link.unplug();
  const opens: number[] = [];
  const records: LogRecord[] = [];
  const driver = new R30xDriver({
    path: '/dev/ttyUSB9',
    timers: clock,
    openPort: (p, b) => {
      opens.push(clock.now());
      if (opens.length === 8) link.plug();
      return link.openPort(p, b);
    },
    logger: recordingLogger(records),
    backoff: { baseMs: 500, capMs: 4000 },
    random: () => 0.999,
  });
  await driver.start();
  t.equal(driver.state, 'disconnected', 'start() returns; the absent reader is a state, not an exception');
  await driver.whenReady(60_000);
  t.equal(opens.length, 8);
  const gaps = opens.slice(1).map((at, i) => Math.round(at - opens[i]!));
  t.same(gaps, [499, 999, 1998, 3996, 3996, 3996, 3996], 'windows double up to the cap (jitter fixed near 1)');
  const warns = records.filter((r) => r.level === 'warn' && r.msg === 'The fingerprint reader is not connected');
  t.equal(warns.length, 1, 'one warning, the repeats at debug');
  t.equal(driver.health().reconnects, 7);
  await driver.stop();
});

t.test('stop() while waiting to retry cancels the retry', async (t) => {
  const clock = new AutoClock();
  let opens = 0;
  const driver = new R30xDriver({
    path: '/dev/none',
    timers: clock,
    logger: silentLogger,
    openPort: () => {
      opens++;
      return Promise.reject(new Error('ENOENT'));
    },
  });
  await driver.start();
  await driver.stop();
  await new Promise((r) => setTimeout(r, 20));
  t.equal(opens, 1);
  t.equal(driver.state, 'stopped');
});

t.test('a reader that never answers: FP_TIMEOUT handshake, retried, recovered when it speaks', async (t) => {
  const clock = new AutoClock();
  const sim = new R30xSimulator({ timing: FAST_TIMING, now: clock.now, setTimeout: clock.setTimeout });
  sim.fault('silence', 'silence', 'silence');
  const link = memoryLink(sim);
  const driver = new R30xDriver({ path: '/dev/ttyS0', timers: clock, openPort: link.openPort, backoff: { baseMs: 100, capMs: 1000 } });
  await driver.start();
  t.equal(driver.state, 'disconnected');
  t.equal(driver.health().lastError?.code, 'FP_TIMEOUT');
  await driver.whenReady(30_000);
  t.same(sim.received.slice(0, 4), ['VfyPwd', 'VfyPwd', 'VfyPwd', 'VfyPwd'], 'three tries, then a fresh open');
  await driver.stop();
});

t.test('link: DownChar sends data packets after the ack; UpChar collects them back', async (t) => {
  const clock = new AutoClock();
  const sim = new R30xSimulator({ timing: FAST_TIMING, now: clock.now, setTimeout: clock.setTimeout });
  const port = await memoryLink(sim).openPort('/dev/x', 57600);
  const l = new R30xLink(port, { address: 0xffffffff, logger: silentLogger, timers: clock });
  const tpl = sim.templateFor('operator-1');
  t.equal((await l.commandThenData(commands.downChar(1), tpl, 128, 1000)).cc, 0);
  t.equal((await l.command(commands.store(1, 3), 1000)).cc, 0);
  t.same(sim.library.get(3), tpl, 'the module stored exactly what was sent');
  t.equal((await l.command(commands.loadChar(2, 3), 1000)).cc, 0);
  const up = await l.commandWithData(commands.upChar(2), 2000, 4096);
  t.same(up.data, tpl);
  const none = await l.commandWithData(commands.upImage(), 2000, 40000);
  t.equal(none.ack.cc, 0x0f, 'no image yet: the error ack, no data');
  t.equal(none.data.length, 0);
  await port.close();
  await t.rejects(l.command(commands.templateNum(), 1000), { code: 'FP_DISCONNECTED' });
  t.ok(new DataCollector(1));
});
