import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrintQueue } from '../../../drivers/printer/queue.js';
import { PrinterDriver } from '../../../drivers/printer/printer.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { serveTcp } from '../../../drivers/printer/sim-server.js';
import { tcpLink } from '../../../drivers/printer/link-tcp.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { FileJobStore } from './file-job-store.js';
import { linesOf, textRender } from './helpers.js';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'crash-child.ts');

async function waitFor(cond: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('kill -9 while a receipt is printing: after restart nothing prints twice unmarked and nothing is lost', async (t) => {
  // Paper runs out after the second receipt's cut, so the second job is still waiting for its
  // print barrier ("sending") when the kiosk process is killed.
  const sim = new PrinterSimulator({ paperOutAfterCuts: 2 });
  const server = await serveTcp(sim, { port: 0 });
  t.teardown(() => server.close());
  const storePath = join(t.testdir(), 'jobs.json');
  const store = new FileJobStore(storePath);

  const child = spawn(process.execPath, [...process.execArgv, CHILD], {
    env: { ...process.env, CRASH_PORT: String(server.port), CRASH_STORE: storePath, CRASH_JOBS: '4' },
    stdio: 'ignore',
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await waitFor(async () => (await store.get('j2'))?.state === 'sending' && sim.state.paperEnd === true && (await store.list(['queued'])).length === 2);
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.same(sim.pages.map((p) => linesOf(p.ops)), [['RECEIPT 1'], ['RECEIPT 2']]);

  // The technician loads paper; then the kiosk comes back.
  sim.set({ paperEnd: false });
  const driver = new PrinterDriver({ openLink: tcpLink({ host: '127.0.0.1', port: server.port }), logger: silentLogger, pollIntervalMs: 60_000, statusTimeoutMs: 1000 });
  await driver.start();
  const queue = new PrintQueue({ store, sink: driver, render: textRender, logger: silentLogger, retryMs: 50 });
  t.teardown(async () => {
    queue.stop();
    await driver.stop();
  });
  let flushed = false;
  const interrupted = await queue.start(async () => {
    await driver.flushParser();
    flushed = true;
  });
  t.ok(flushed, 'the printer was flushed before printing resumed');
  t.same(interrupted.map((j) => j.id), ['j2'], 'the job in flight is reported, not resent');
  await waitFor(async () => (await queue.pending()).length === 0);
  t.same((await queue.uncertain()).map((j) => j.id), ['j2'], 'shown to the operator');

  // The operator reprints it: the reprint says DUPLICATE.
  await queue.reprint('j2', 'j2-reprint');
  await waitFor(async () => (await queue.pending()).length === 0);
  const printed = sim.pages.map((p) => linesOf(p.ops).join('/'));
  t.same(printed, ['RECEIPT 1', 'RECEIPT 2', 'RECEIPT 3', 'RECEIPT 4', 'DUPLICATE RECEIPT 2']);
  const unmarked = printed.filter((l) => !l.startsWith('DUPLICATE'));
  t.equal(new Set(unmarked).size, unmarked.length, 'no receipt printed twice unmarked');
  t.same((await store.list(['printed'])).map((j) => j.id), ['j1', 'j3', 'j4', 'j2-reprint']);
  t.match(await store.get('j2'), { state: 'reprinted', error: /interrupted/ });
});
