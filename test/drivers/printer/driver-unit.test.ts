import t from 'tap';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { PrinterErrorCode } from '../../../drivers/printer/errors.js';
import type { PrinterLink } from '../../../drivers/printer/link.js';
import type { Timers } from '../../../drivers/printer/timers.js';
import { Backoff } from '../../../drivers/common/backoff.js';
import { recordingLogger } from '../../../drivers/common/logger.js';

/** Timers driven by the test: nothing waits on the wall clock. */
class ManualTimers implements Timers {
  now = 0;
  #q = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    this.#q.set(++this.#id, { at: this.now + ms, fn });
    return this.#id;
  }
  clearTimeout(h: unknown): void {
    this.#q.delete(h as number);
  }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await flush();
      const due = [...this.#q.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#q.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
    await flush();
  }
}
const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

class FakeLink implements PrinterLink {
  kind = 'fake';
  address = 'fake:0';
  canRead = true;
  writes: number[][] = [];
  hang = false;
  closed = 0;
  answer: ((req: number[]) => number[] | undefined) | undefined;
  #data: (c: Uint8Array) => void = () => undefined;
  #close: (e?: Error) => void = () => undefined;
  write(bytes: Uint8Array): Promise<void> {
    this.writes.push([...bytes]);
    if (this.hang) return new Promise(() => undefined);
    const r = this.answer?.([...bytes]);
    if (r) queueMicrotask(() => this.#data(Uint8Array.from(r)));
    return Promise.resolve();
  }
  onData(cb: (c: Uint8Array) => void): void {
    this.#data = cb;
  }
  onClose(cb: (e?: Error) => void): void {
    this.#close = cb;
  }
  close(): Promise<void> {
    this.closed++;
    this.#close();
    return Promise.resolve();
  }
}

function rig(link: FakeLink) {
  const timers = new ManualTimers();
  const logger = recordingLogger();
  const driver = new PrinterDriver({
    openLink: () => Promise.resolve(link),
    logger,
    timers,
    statusTimeoutMs: 1000,
    writeTimeoutMs: 5000,
    pollIntervalMs: 60_000,
    backoff: new Backoff({ baseMs: 1000, capMs: 1000, random: () => 0.5 }),
  });
  return { timers, logger, driver };
}

t.test('a silent unit: two probe timeouts on the injected clock, then printing without status', async (t) => {
  const link = new FakeLink();
  const { timers, driver } = rig(link);
  const started = driver.start();
  await timers.advance(1000); // first DLE EOT 1 probe times out
  await timers.advance(1000); // second probe
  await started;
  t.equal(driver.statusSupported, false);
  t.match(driver.health, { state: 'ok', detail: 'no status support' });
  t.same(link.writes, [[0x10, 0x04, 0x01], [0x10, 0x04, 0x01]]);
  t.equal(await driver.send(Uint8Array.of(0x41, 0x0a)), 'sent');
  await driver.stop();
});

t.test('a write that never completes times out, the link is reopened, the caller gets WriteTimeout', async (t) => {
  const link = new FakeLink();
  link.answer = (req) => (req[0] === 0x10 ? [0x12] : req[0] === 0x1d ? [0x00] : undefined);
  const { timers, driver, logger } = rig(link);
  await driver.start();
  t.equal(driver.statusSupported, true);
  link.hang = true;
  const sending = driver.send(new Uint8Array(10).fill(0x41));
  let err: unknown;
  sending.catch((e: unknown) => (err = e));
  await timers.advance(5000);
  t.match(err, { code: PrinterErrorCode.WriteTimeout });
  t.equal(link.closed, 1);
  t.equal(driver.lifecycle, 'reconnecting');
  t.ok(logger.records.some((r) => r.msg === 'printer write timed out; reopening'));
  link.hang = false;
  await timers.advance(1000); // backoff window 1000 × 0.5 → reopen at 500 ms
  t.equal(driver.lifecycle, 'ready');
  await driver.stop();
});
