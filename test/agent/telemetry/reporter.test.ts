import t from 'tap';
import { join } from 'node:path';
import { Store } from '../../../agent/store/db.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { DeviceRegistry } from '../../../agent/devices/registry.js';
import { Reporter } from '../../../agent/telemetry/reporter.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { decodeMessage } from '../../../protocols/telemetry/index.js';

const time = { now: () => ({ ts: 1_800_000_000_000, mono: 5000, boot: 'b', synced: true }) };

t.test('heartbeat and state carry devices, capability sections and summaries, and pass the contract', async (t) => {
  const store = await Store.open(join(t.testdir({}), 'r.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, 'RJ-JAI-0001', time, { maxRows: 100, maxBytes: 1e6 }, silentLogger);
  const devices = new DeviceRegistry();
  const reporter = new Reporter({
    outbox,
    devices,
    clock: { info: () => ({ synced: true, source: 'ntp' as const }) },
    logger: silentLogger,
    heartbeatSec: 60,
    version: '0.1.0',
    configHash: 'abc',
    startedAt: 1,
  });
  devices.set('printer', { state: 'degraded', detail: 'paper low' });
  devices.set('ups', { state: 'ok' });
  reporter.addStateSection('example', () => ({ pending: 2 }));
  reporter.addSummary(() => 'wallet:ok');
  reporter.addSummary(() => undefined);
  t.throws(() => reporter.addStateSection('devices', () => ({})), /taken/);
  await reporter.heartbeat();
  await reporter.state();
  const rows = await outbox.peek(0, 10);
  const hb = JSON.parse(rows.find((r) => r.channel === 'heartbeat')!.payload);
  t.equal(hb.sum, 'printer:degraded(paper low) ups:ok wallet:ok');
  const st = JSON.parse(rows.find((r) => r.channel === 'state')!.payload);
  t.match(st, { devices: { printer: { state: 'degraded' }, ups: { state: 'ok' } }, example: { pending: 2 }, clock: { source: 'ntp' } });
  for (const r of rows) t.ok(decodeMessage(r.topic, Buffer.from(r.payload)).ok, `${r.channel} valid`);
  // A repeated identical device report is no change.
  let changes = 0;
  devices.onChange(() => changes++);
  devices.set('ups', { state: 'ok' });
  devices.set('ups', { state: 'fault', detail: 'no reply' });
  t.equal(changes, 1);
});
