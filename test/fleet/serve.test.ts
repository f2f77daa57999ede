/**
 * The fleet against a real in-process aedes broker (MQTT 3.1.1 only, so the fleet falls back
 * from 5) with real MQTT clients and real kiosk processes.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startEmbeddedBroker } from '../../fleet/broker.js';
import { silentLogger } from '../../fleet/log.js';
import { startFleet, type FleetServer } from '../../fleet/serve.js';
import { birth, bytes, death, embeddedFleetOptions, event, FakeClock, freePort, heartbeat, KIOSK_CHILD, state, tempDir, waitFor } from './fixtures/helpers.js';

async function fleetOn(t: { teardown(fn: () => unknown): void }, dir: string, extra: { mqttUrl?: string } = {}): Promise<FleetServer> {
  const fleet = await startFleet({
    mqttUrl: extra.mqttUrl ?? 'mqtt://unused',
    ...(extra.mqttUrl ? {} : { embeddedBroker: { host: '127.0.0.1', port: 0 } }),
    db: join(dir, 'fleet.db'),
    shareGroup: 'kiosk-fleet',
    heartbeatMisses: 3,
    log: silentLogger,
    checkEveryMs: 100,
    retryMs: 200,
  });
  t.teardown(() => fleet.close());
  await fleet.ready;
  return fleet;
}

async function kioskClient(t: { teardown(fn: () => unknown): void }, url: string, id: string): Promise<MqttClient> {
  const c = await connectAsync(url, { clientId: id, reconnectPeriod: 0 });
  t.teardown(() => c.endAsync(true));
  return c;
}

const pub = (c: MqttClient, id: string, channel: string, payload: unknown, retain = false) =>
  c.publishAsync(`kiosk/v1/${id}/${channel}`, Buffer.isBuffer(payload) ? payload : bytes(payload), { qos: 1, retain });

/**
 * Published by the broker itself, past its kiosk ACL: what a broker without that ACL would pass
 * on, or a will it delivers late.
 */
const brokerPub = (fleet: FleetServer, topic: string, payload: Buffer | string): Promise<void> =>
  new Promise((resolve, reject) => {
    fleet.broker!.broker.publish(
      { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
      (err?: Error) => (err ? reject(err) : resolve()),
    );
  });

t.test('ingests contract-valid traffic and survives invalid traffic over a real broker', async (t) => {
  const fleet = await fleetOn(t, tempDir(t));
  t.equal(fleet.source.protocolVersion, 4, 'aedes refuses MQTT 5; the fleet falls back to 3.1.1');
  const K = 'RJ-AJM-0001';
  const c = await kioskClient(t, fleet.url, K);
  await pub(c, K, 'status', birth(1, { district: 'Ajmer' }), true);
  await pub(c, K, 'heartbeat', heartbeat(1, { q: 3 }));
  await pub(c, K, 'state', state(1), true);
  await pub(c, K, 'events', event(1, 'sim.tick', { n: 1 }));
  await pub(c, K, 'events', event(1, 'sim.tick', { n: 1 }));
  const garbage = [Buffer.from('not json'), bytes({ ...heartbeat(2), sum: 7 }), Buffer.alloc(300_000, 0x7b), Buffer.from([0, 1, 2, 0xff])];
  for (const g of garbage) await pub(c, K, 'heartbeat', g);
  await brokerPub(fleet, 'kiosk/v1/not-a-kiosk/status', 'x');
  await pub(c, K, 'events', event(2, 'fleet_test.newer_type', {}));

  const k = await waitFor(async () => {
    const r = await fleet.repo.getKiosk(K);
    return r && r.invalidCount === garbage.length && (await fleet.repo.listEvents(K)).length === 2 ? r : undefined;
  }, 'all traffic ingested');
  t.match(k, { district: 'Ajmer', liveness: 'online', session: 1, heartbeat: { seq: 1, q: 3 }, state: { seq: 1 } });
  t.equal(await fleet.repo.invalidTotal(), garbage.length + 1);
  t.same((await fleet.repo.listEvents(K)).map((e) => e.type), ['sim.tick', 'fleet_test.newer_type'], 'duplicate event dropped, order kept');
  t.equal(fleet.ingest.stats.failed, 0);
});

t.test('a will delivered after a newer birth does not flip the kiosk offline', async (t) => {
  const fleet = await fleetOn(t, tempDir(t));
  const K = 'RJ-AJM-0002';
  const statusTopic = `kiosk/v1/${K}/status`;
  const will = (s: number) => ({ topic: statusTopic, payload: bytes(death(s)), qos: 1 as const, retain: true });
  // Session 5, then the same kiosk reconnects as session 6: the broker takes over the old
  // connection and may deliver session 5's will around session 6's birth.
  const a = await connectAsync(fleet.url, { clientId: K, reconnectPeriod: 0, will: will(5) });
  await a.publishAsync(statusTopic, bytes(birth(5)), { qos: 1, retain: true });
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.session === 5, 'session 5 online');
  const b = await connectAsync(fleet.url, { clientId: K, reconnectPeriod: 0, will: will(6) });
  t.teardown(() => b.endAsync(true));
  await b.publishAsync(statusTopic, bytes(birth(6)), { qos: 1, retain: true });
  // And a will of session 5 arriving late, for certain.
  await brokerPub(fleet, statusTopic, bytes(death(5)));
  await brokerPub(fleet, `kiosk/v1/${K}/events`, bytes(event(1)));
  await waitFor(async () => (await fleet.repo.listEvents(K)).length === 1, 'marker event');
  t.match(await fleet.repo.getKiosk(K), { liveness: 'online', reason: 'birth', session: 6 });
  a.end(true);
});

function startKiosk(url: string, id: string, session: number, keepalive: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', KIOSK_CHILD], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_OPTIONS: '', URL: url, KIOSK: id, SESSION: String(session), KEEPALIVE: String(keepalive) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`kiosk exited early with ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
  });
}

t.test('kill -9 of a kiosk: offline within 1.5 × keepalive; restart: online again', async (t) => {
  const fleet = await fleetOn(t, tempDir(t));
  const K = 'RJ-AJM-0003';
  const keepalive = 1;
  const first = await startKiosk(fleet.url, K, 1, keepalive);
  t.teardown(() => first.kill('SIGKILL'));
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'kiosk online');
  const killedAt = Date.now();
  first.kill('SIGKILL');
  await once(first, 'exit');
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'offline', 'kiosk offline', 1500 * keepalive);
  const tookMs = Date.now() - killedAt;
  t.ok(tookMs <= 1500 * keepalive, `offline after ${tookMs} ms`);
  t.match(await fleet.repo.getKiosk(K), { reason: 'will', session: 1 });

  const second = await startKiosk(fleet.url, K, 2, keepalive);
  t.teardown(() => second.kill('SIGKILL'));
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'kiosk online again');
  t.match(await fleet.repo.getKiosk(K), { reason: 'birth', session: 2 });
});

t.test('a frozen kiosk (SIGSTOP, socket left open) is offline once the broker times its keepalive out', async (t) => {
  const fleet = await fleetOn(t, tempDir(t));
  const K = 'RJ-AJM-0004';
  const keepalive = 1;
  const child = await startKiosk(fleet.url, K, 1, keepalive);
  t.teardown(() => child.kill('SIGKILL'));
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'kiosk online');
  const stoppedAt = Date.now();
  child.kill('SIGSTOP');
  // The broker allows 1.5 × keepalive from the last packet it got, which is at or before the stop;
  // the margin is for timers on a loaded machine.
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'offline', 'frozen kiosk offline', 4000);
  const tookMs = Date.now() - stoppedAt;
  t.ok(tookMs <= 1500 * keepalive + 1000, `offline after ${tookMs} ms`);
  t.match(await fleet.repo.getKiosk(K), { reason: 'will' });
  child.kill('SIGKILL');
});

t.test('a kiosk that died while the fleet was down is offline after the fleet restarts (retained will)', async (t) => {
  const broker = await startEmbeddedBroker({ port: 0 });
  t.teardown(() => broker.close());
  const dir = tempDir(t);
  const K = 'RJ-AJM-0005';
  const fleet1 = await fleetOn(t, dir, { mqttUrl: broker.url });
  const child = await startKiosk(broker.url, K, 4, 1);
  t.teardown(() => child.kill('SIGKILL'));
  await waitFor(async () => (await fleet1.repo.getKiosk(K))?.liveness === 'online', 'kiosk online');
  await fleet1.close();
  child.kill('SIGKILL');
  await once(child, 'exit');
  const fleet2 = await fleetOn(t, dir, { mqttUrl: broker.url });
  await waitFor(async () => (await fleet2.repo.getKiosk(K))?.liveness === 'offline', 'retained will applied');
  t.match(await fleet2.repo.getKiosk(K), { reason: 'will', session: 4, district: 'Ajmer' });
});

t.test('the fleet reconnects and subscribes again when the broker restarts', async (t) => {
  let broker = await startEmbeddedBroker({ port: 0 });
  const port = broker.port;
  t.teardown(() => broker.close());
  const fleet = await fleetOn(t, tempDir(t), { mqttUrl: broker.url });
  await broker.close();
  await new Promise((r) => setTimeout(r, 300));
  broker = await startEmbeddedBroker({ port });
  const K = 'RJ-AJM-0006';
  const c = await kioskClient(t, broker.url, K);
  // Publish until the fleet is back: the birth is retained, so the first one it sees suffices.
  await pub(c, K, 'status', birth(1), true);
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'birth ingested after the restart', 8000);
  t.pass('ingesting again');
});

t.test('missed heartbeats over a real broker, on a fake clock', async (t) => {
  const clock = new FakeClock();
  const fleet = await startFleet(embeddedFleetOptions(t, { clock, checkEveryMs: 1000 }));
  t.teardown(() => fleet.close());
  await fleet.ready;
  const K = 'RJ-AJM-0007';
  const c = await kioskClient(t, fleet.url, K);
  await pub(c, K, 'status', birth(1, { heartbeatSec: 20 }), true);
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'online');
  clock.advance(40_000);
  await pub(c, K, 'heartbeat', heartbeat(1));
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.heartbeat?.seq === 1, 'heartbeat stored');
  clock.advance(60_000);
  await fleet.monitor.check();
  t.equal((await fleet.repo.getKiosk(K))?.liveness, 'online', 'three intervals after the last heartbeat: still in time');
  clock.advance(1_000);
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'offline', 'offline after the fourth interval starts');
  t.match(await fleet.repo.getKiosk(K), { reason: 'missed-heartbeats', session: 1 });
  await pub(c, K, 'heartbeat', heartbeat(2));
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'heartbeats resumed');
  t.match(await fleet.repo.getKiosk(K), { reason: 'heartbeat' });
});

t.test('a fleet waiting for an unreachable broker stops promptly', async (t) => {
  const port = await freePort();
  const fleet = await startFleet({
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    db: join(tempDir(t), 'fleet.db'),
    shareGroup: 'kiosk-fleet',
    heartbeatMisses: 3,
    log: silentLogger,
    retryMs: 10_000,
  });
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  await fleet.close();
  t.ok(Date.now() - started < 2000, `closed in ${Date.now() - started} ms`);
  await t.rejects(fleet.ready, /stopped before connecting/);
});

t.test('a broker outage on the central side does not show the fleet offline', async (t) => {
  const clock = new FakeClock();
  let broker = await startEmbeddedBroker({ port: 0 });
  const port = broker.port;
  t.teardown(() => broker.close());
  const fleet = await startFleet({
    mqttUrl: broker.url,
    db: join(tempDir(t), 'fleet.db'),
    shareGroup: 'kiosk-fleet',
    heartbeatMisses: 3,
    log: silentLogger,
    clock,
    retryMs: 200,
  });
  t.teardown(() => fleet.close());
  await fleet.ready;
  const K = 'RJ-AJM-0008';
  const c = await kioskClient(t, broker.url, K);
  await pub(c, K, 'status', birth(1, { heartbeatSec: 10 }), true);
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'online');
  await broker.close();
  await waitFor(() => fleet.source.listeningSince === undefined, 'fleet notices the outage');
  clock.advance(600_000);
  t.same(await fleet.monitor.check(), [], 'ten silent minutes while the fleet is deaf mark nobody offline');
  broker = await startEmbeddedBroker({ port });
  await waitFor(() => fleet.source.listeningSince !== undefined, 'fleet hears the broker again', 8000);
  clock.advance(30_000);
  t.same(await fleet.monitor.check(), [], 'the window restarts at the reconnect');
  clock.advance(1_000);
  t.same(await fleet.monitor.check(), [K], 'and then a silent kiosk is offline');
});
