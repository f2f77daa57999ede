/**
 * The fleet against a real Mosquitto (Debian's package), started here on a free loopback port:
 * MQTT 5 is negotiated, two fleet instances split the traffic through one shared subscription,
 * and retained births reach a fleet that subscribed after they were sent.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { silentLogger } from '../../fleet/log.js';
import { startFleet, type FleetServer } from '../../fleet/serve.js';
import { birth, bytes, event, freePort, tempDir, waitFor } from './fixtures/helpers.js';

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

t.test('MQTT 5 shared subscription against Mosquitto', { skip: MOSQUITTO ? false : 'mosquitto is not installed (make system-deps)' }, async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
  const broker = spawn(MOSQUITTO!, ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  t.teardown(async () => {
    if (broker.exitCode === null) {
      broker.kill('SIGTERM');
      await once(broker, 'exit');
    }
  });
  await waitFor(() => portOpen(port), 'mosquitto listening');
  const url = `mqtt://127.0.0.1:${port}`;

  // A kiosk born before any fleet subscribed: only its retained birth tells the fleet about it.
  const early = await connectAsync(url, { clientId: 'MP-IDR-0001', protocolVersion: 5, reconnectPeriod: 0 });
  t.teardown(() => early.endAsync(true));
  await early.publishAsync('kiosk/v1/MP-IDR-0001/status', bytes(birth(2, { district: 'Indore' })), { qos: 1, retain: true });

  const fleets: FleetServer[] = [];
  for (const name of ['a', 'b']) {
    const fleet = await startFleet({
      mqttUrl: url,
      db: join(dir, `fleet-${name}.db`),
      shareGroup: 'kiosk-fleet-test',
      heartbeatMisses: 3,
      log: silentLogger,
      catchupMs: 300,
      retryMs: 200,
    });
    t.teardown(() => fleet.close());
    await fleet.ready;
    fleets.push(fleet);
  }
  t.same(fleets.map((f) => f.source.protocolVersion), [5, 5], 'both instances speak MQTT 5');
  for (const f of fleets) {
    await waitFor(async () => (await f.repo.getKiosk('MP-IDR-0001'))?.liveness === 'online', 'retained birth caught up');
  }
  t.pass('a retained birth reaches each instance although shared subscriptions get no retained messages');
  await new Promise((r) => setTimeout(r, 400)); // let the catch-up subscription end

  const K = 'MP-IDR-0002';
  const kiosk = await connectAsync(url, { clientId: K, protocolVersion: 5, reconnectPeriod: 0 });
  t.teardown(() => kiosk.endAsync(true));
  const N = 40;
  for (let i = 1; i <= N; i++) await kiosk.publishAsync(`kiosk/v1/${K}/events`, bytes(event(i)), { qos: 1 });
  const seqs = await waitFor(async () => {
    const all = await Promise.all(fleets.map((f) => f.repo.listEvents(K)));
    return all.reduce((n, e) => n + e.length, 0) === N ? all.map((e) => e.map((x) => x.seq)) : undefined;
  }, 'every event stored by one instance or the other');
  const [a, b] = seqs as [number[], number[]];
  t.ok(a.length > 0 && b.length > 0, `the group split the load (${a.length} + ${b.length})`);
  t.same([...a, ...b].sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i + 1), 'each event exactly once across the group');
  t.same(a, [...a].sort((x, y) => x - y), 'each instance sees its share in order');

  // A message outside the contract is dropped by whichever instance receives it, with no crash.
  await kiosk.publishAsync(`kiosk/v1/${K}/heartbeat`, 'garbage', { qos: 1 });
  await waitFor(async () => (await Promise.all(fleets.map((f) => f.repo.invalidTotal()))).reduce((x, y) => x + y) === 1, 'invalid counted once');
});
