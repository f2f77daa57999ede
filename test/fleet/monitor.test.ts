import t from 'tap';
import { join } from 'node:path';
import { Ingestor } from '../../fleet/ingest.js';
import { silentLogger } from '../../fleet/log.js';
import { LivenessMonitor } from '../../fleet/monitor.js';
import { META_LISTENING_SINCE, META_MONITOR_TICK } from '../../fleet/store/repository.js';
import { SqliteFleetRepository } from '../../fleet/store/sqlite-repository.js';
import { birth, bytes, FakeClock, heartbeat, tempDir } from './fixtures/helpers.js';

/** Lets the store finish what a fired timer started. */
const settle = async (m: LivenessMonitor): Promise<void> => {
  await (m as unknown as { running: Promise<unknown> }).running;
};

t.test('missed heartbeats mark a kiosk offline on the fake clock; a heartbeat brings it back', async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const clock = new FakeClock();
  const changes: string[] = [];
  const ingest = new Ingestor({ repo, clock, log: silentLogger });
  const monitor = new LivenessMonitor({
    repo,
    clock,
    log: silentLogger,
    heartbeatMisses: 3,
    checkEveryMs: 1000,
    onLiveness: (id, d) => changes.push(`${id}:${d.next.liveness}:${d.next.reason}`),
  });
  monitor.start();
  t.teardown(() => monitor.stop());

  await ingest.handle('kiosk/v1/RJ-JAI-0001/status', bytes(birth(1, { heartbeatSec: 10 })));
  await ingest.handle('kiosk/v1/RJ-JAI-0002/status', bytes(birth(1, { heartbeatSec: 60 })));

  // Heartbeats every 10 s keep the first kiosk online well past its 30 s window.
  for (let i = 1; i <= 6; i++) {
    clock.advance(10_000);
    await settle(monitor);
    await ingest.handle('kiosk/v1/RJ-JAI-0001/heartbeat', bytes(heartbeat(i)));
  }
  t.equal((await repo.getKiosk('RJ-JAI-0001'))?.liveness, 'online');
  t.equal(await repo.getMeta(META_MONITOR_TICK), String(clock.t), 'the monitor records its last check');

  clock.advance(30_000);
  await settle(monitor);
  t.equal((await repo.getKiosk('RJ-JAI-0001'))?.liveness, 'online', 'exactly 3 intervals is still in time');
  clock.advance(1_000);
  await settle(monitor);
  t.match(await repo.getKiosk('RJ-JAI-0001'), { liveness: 'offline', reason: 'missed-heartbeats', session: 1 });
  t.equal((await repo.getKiosk('RJ-JAI-0002'))?.liveness, 'online', 'the other kiosk has its own 180 s window');
  t.same(changes, ['RJ-JAI-0001:offline:missed-heartbeats']);

  await ingest.handle('kiosk/v1/RJ-JAI-0001/heartbeat', bytes(heartbeat(7)));
  t.match(await repo.getKiosk('RJ-JAI-0001'), { liveness: 'online', reason: 'heartbeat' });

  clock.advance(120_000);
  await settle(monitor);
  t.match(await repo.getKiosk('RJ-JAI-0002'), { liveness: 'offline', reason: 'missed-heartbeats' });

  await monitor.stop();
  const before = await repo.getMeta(META_MONITOR_TICK);
  clock.advance(10_000);
  await settle(monitor);
  t.equal(await repo.getMeta(META_MONITOR_TICK), before, 'a stopped monitor checks no more');
});

t.test('check() re-decides inside the update, so a fresh heartbeat wins', async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const clock = new FakeClock();
  const ingest = new Ingestor({ repo, clock, log: silentLogger });
  const monitor = new LivenessMonitor({ repo, clock, log: silentLogger, heartbeatMisses: 1 });
  await ingest.handle('kiosk/v1/RJ-JAI-0001/status', bytes(birth(1, { heartbeatSec: 5 })));
  clock.advance(6_000);
  // The heartbeat lands between the overdue query and the update.
  const list = repo.listOverdue.bind(repo);
  repo.listOverdue = async (...a) => {
    const ids = await list(...a);
    await ingest.handle('kiosk/v1/RJ-JAI-0001/heartbeat', bytes(heartbeat(1)));
    return ids;
  };
  t.same(await monitor.check(), []);
  t.equal((await repo.getKiosk('RJ-JAI-0001'))?.liveness, 'online');
});

t.test('after a restart the monitor counts silence only from when it started listening', async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const clock = new FakeClock();
  const ingest = new Ingestor({ repo, clock, log: silentLogger });
  await ingest.handle('kiosk/v1/RJ-JAI-0001/status', bytes(birth(1, { heartbeatSec: 10 })));
  clock.advance(600_000); // the fleet was down for ten minutes
  const monitor = new LivenessMonitor({ repo, clock, log: silentLogger, heartbeatMisses: 3, checkEveryMs: 1000 });
  monitor.start();
  t.teardown(() => monitor.stop());
  await settle(monitor);
  t.equal(await repo.getMeta(META_MONITOR_TICK), String(clock.t), 'checks once at start');
  t.equal((await repo.getKiosk('RJ-JAI-0001'))?.liveness, 'online', 'not flipped offline at start');
  clock.advance(30_000);
  await settle(monitor);
  t.equal((await repo.getKiosk('RJ-JAI-0001'))?.liveness, 'online');
  clock.advance(1_000);
  await settle(monitor);
  t.match(await repo.getKiosk('RJ-JAI-0001'), { liveness: 'offline', reason: 'missed-heartbeats' });
});

t.test('while the fleet cannot hear the broker, silence does not count; the window restarts on reconnect', async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const clock = new FakeClock();
  const ingest = new Ingestor({ repo, clock, log: silentLogger });
  let listeningSince: number | undefined = clock.t;
  const monitor = new LivenessMonitor({ repo, clock, log: silentLogger, heartbeatMisses: 3, listeningSince: () => listeningSince });
  await ingest.handle('kiosk/v1/RJ-JAI-0001/status', bytes(birth(1, { heartbeatSec: 10 })));
  clock.advance(5_000);
  listeningSince = undefined; // the fleet loses the broker
  clock.advance(600_000);
  t.same(await monitor.check(), [], 'nothing is marked while deaf');
  t.equal(await repo.getMeta(META_LISTENING_SINCE), '', 'status can tell the monitor is deaf');
  listeningSince = clock.t; // back
  clock.advance(30_000);
  t.same(await monitor.check(), [], 'the window counts from the reconnect');
  t.equal(await repo.getMeta(META_LISTENING_SINCE), String(listeningSince));
  clock.advance(1_000);
  t.same(await monitor.check(), ['RJ-JAI-0001']);
});
