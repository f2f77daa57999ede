// The demo helper starts both simulated readers and the real clients can use them.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoReaders } from '../../../drivers/fingerprint/demo-readers.js';
import { R30xDriver } from '../../../drivers/fingerprint/r30x/driver.js';
import { RdServiceClient } from '../../../drivers/fingerprint/rd-service/client.js';

t.test('startDemoReaders: an R30x with enrolled operators and an RD service', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fp-demo-'));
  const readers = await startDemoReaders({ dir, rdPort: 0, operators: ['op-asha', 'op-ravi'] });
  const driver = new R30xDriver({ path: readers.r30xPath, pollMs: 20 });
  t.teardown(async () => {
    await driver.stop();
    await readers.close();
    await rm(dir, { recursive: true, force: true });
  });
  await driver.start();
  await driver.whenReady(5000);
  t.equal(driver.health().templateCount, 2);
  readers.r30x.touch({ finger: 'op-ravi' });
  t.match(await driver.ops.identify({ deadlineMs: 5000 }), { slot: 1 });
  const rd = new RdServiceClient({ probes: [{ scheme: 'http', port: readers.rdPort }] });
  t.equal((await rd.refreshHealth()).state, 'READY');
  t.equal((await rd.capture()).resp.errCode, '0');
});
