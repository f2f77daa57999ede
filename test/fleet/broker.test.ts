import { connectAsync, type MqttClient } from 'mqtt';
import t from 'tap';
import { brokerMayPublish, brokerMaySubscribe } from '../../fleet/broker-acl.js';
import { type EmbeddedBroker, REFUSAL_LOG_EVERY, startEmbeddedBroker } from '../../fleet/broker.js';
import { startFleet } from '../../fleet/serve.js';
import { captureLogger, embeddedFleetOptions, FakeClock, waitFor } from './fixtures/helpers.js';

const K1 = 'RJ-JAI-0001';
const K2 = 'RJ-JAI-0002';
const CLAIMANT = 'claim-0123456789abcdef';

type Test = { teardown(fn: () => unknown): void };

async function brokerWithLog(t: Test, acl?: boolean): Promise<{ broker: EmbeddedBroker; lines: Record<string, unknown>[] }> {
  const { log, lines } = captureLogger('warn');
  const broker = await startEmbeddedBroker({ port: 0, log, ...(acl === undefined ? {} : { acl }) });
  t.teardown(() => broker.close());
  return { broker, lines };
}

async function client(t: Test, url: string, clientId: string): Promise<MqttClient> {
  const c = await connectAsync(url, { clientId, reconnectPeriod: 0 });
  t.teardown(() => c.endAsync(true));
  return c;
}

/** What `c` receives, as `topic payload` strings. */
function inbox(c: MqttClient): string[] {
  const got: string[] = [];
  c.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
  return got;
}

const until = (what: string, ok: () => boolean): Promise<true> => waitFor(() => ok() || undefined, what);

/** The SUBACK return codes (128: refused); mqtt.js turns any 128 into an error that carries the SUBACK. */
function grants(c: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    c.subscribe(filters, { qos: 1 }, (err, granted) => {
      const suback = (err as { packet?: { granted?: number[] } } | null)?.packet?.granted;
      if (suback) resolve(suback);
      else if (err) reject(err);
      else resolve((granted ?? []).map((g) => g.qos));
    });
  });
}
const granted = async (c: MqttClient, filter: string): Promise<number | undefined> => (await grants(c, [filter]))[0];

t.test('the rules: kiosk, claimant, central and any other client', (t) => {
  t.ok(brokerMayPublish(K1, `kiosk/v1/${K1}/heartbeat`), 'a kiosk on its own upward channel');
  t.notOk(brokerMayPublish(K1, `kiosk/v1/${K2}/heartbeat`), 'not under another kiosk id');
  t.notOk(brokerMayPublish(K1, `kiosk/v1/${K1}/jobs`), 'not on its own downward channel');
  t.notOk(brokerMayPublish(K1, `kiosk/v1/${K1}/nonsense`), 'not outside the contract under kiosk/');
  t.notOk(brokerMayPublish(K1, `provisioning/v1/${CLAIMANT}/request`), 'not in the enrollment tree');
  t.ok(brokerMayPublish('kiosk-fleet-jobs-host-1a2b3c', `kiosk/v1/${K1}/jobs`), 'central sends jobs');
  t.ok(brokerMayPublish('kiosk-fleet-claims-1-abc', `provisioning/v1/${CLAIMANT}/response`), 'central answers claims');
  t.ok(brokerMayPublish(CLAIMANT, `provisioning/v1/${CLAIMANT}/request`), 'a claimant its own request');
  t.notOk(brokerMayPublish(CLAIMANT, 'provisioning/v1/claim-fedcba9876543210/request'), "not another claimant's");
  t.notOk(brokerMayPublish(CLAIMANT, `provisioning/v1/${CLAIMANT}/response`), 'nor its own answer');
  t.notOk(brokerMayPublish('observer', `kiosk/v1/${K1}/status`), 'an unknown client is no kiosk');

  t.ok(brokerMaySubscribe(K1, `kiosk/v1/${K1}/jobs`));
  t.ok(brokerMaySubscribe(K1, `kiosk/v1/${K1}/capture-results`));
  t.notOk(brokerMaySubscribe(K1, `kiosk/v1/${K2}/jobs`), "another kiosk's jobs");
  t.notOk(brokerMaySubscribe(K1, `kiosk/v1/${K1}/captures`), 'its own upward channel');
  for (const f of [`kiosk/v1/${K1}/+`, `kiosk/v1/${K1}/#`, 'kiosk/v1/+/jobs', '#', '+/v1/+/jobs', '$share/g/kiosk/v1/+/+', 'provisioning/#']) {
    t.notOk(brokerMaySubscribe(K1, f), `kiosk: ${f}`);
    t.notOk(brokerMaySubscribe('observer', f), `other: ${f}`);
  }
  t.ok(brokerMaySubscribe('observer', '$SYS/#'), 'outside the contract: allowed');
  t.ok(brokerMaySubscribe(CLAIMANT, `provisioning/v1/${CLAIMANT}/response`));
  t.notOk(brokerMaySubscribe(CLAIMANT, 'provisioning/v1/+/response'));
  t.ok(brokerMaySubscribe('kiosk-fleet-host-1a2b3c', 'kiosk/v1/+/+'), 'central reads the fleet');
  t.end();
});

t.test('a kiosk publishing under another id is refused, logged and counted; its own messages pass', async (t) => {
  const { broker, lines } = await brokerWithLog(t);
  const central = await client(t, broker.url, 'kiosk-fleet-test');
  const got = inbox(central);
  await central.subscribeAsync('kiosk/v1/+/+', { qos: 1 });

  const k1 = await client(t, broker.url, K1);
  await k1.publishAsync(`kiosk/v1/${K1}/heartbeat`, 'own', { qos: 1 });
  await until('own heartbeat', () => got.includes(`kiosk/v1/${K1}/heartbeat own`));

  const closed = new Promise<void>((resolve) => k1.once('close', () => resolve()));
  k1.publish(`kiosk/v1/${K2}/heartbeat`, 'forged', { qos: 1 });
  await closed;
  t.pass('the connection of the forging kiosk is closed (MQTT 3.1.1 has no negative PUBACK)');
  t.same(broker.refused, { publish: 1, subscribe: 0 });
  t.match(lines, [{ level: 40, client: K1, topic: `kiosk/v1/${K2}/heartbeat`, refusals: 1, msg: 'publish refused by the kiosk ACL' }]);

  // K2 itself still gets through; the forged message never arrived.
  const k2 = await client(t, broker.url, K2);
  await k2.publishAsync(`kiosk/v1/${K2}/heartbeat`, 'real', { qos: 1 });
  await until('K2 heartbeat', () => got.includes(`kiosk/v1/${K2}/heartbeat real`));
  t.notOk(got.some((m) => m.endsWith('forged')), 'the forged heartbeat was never delivered');

  // Nor may a kiosk answer itself on a downward channel.
  const k2closed = new Promise<void>((resolve) => k2.once('close', () => resolve()));
  k2.publish(`kiosk/v1/${K2}/jobs`, '{}', { qos: 1 });
  await k2closed;
  t.equal(broker.refused.publish, 2);
});

t.test('a kiosk subscribes to its own downward channels only; central reaches it', async (t) => {
  const { broker, lines } = await brokerWithLog(t);
  const k1 = await client(t, broker.url, K1);
  const got = inbox(k1);
  t.equal(await granted(k1, `kiosk/v1/${K1}/jobs`), 1, 'own jobs granted');
  t.equal(await granted(k1, `kiosk/v1/${K2}/jobs`), 128, "another kiosk's jobs refused");
  t.equal(await granted(k1, 'kiosk/v1/+/+'), 128, 'the whole fleet refused');
  t.ok(k1.connected, 'a refused subscription leaves the connection up');
  t.same(broker.refused, { publish: 0, subscribe: 2 });
  t.equal(lines.length, 1, 'the second refusal of the same client is counted, not logged');

  const jobs = await client(t, broker.url, 'kiosk-fleet-jobs-test');
  await jobs.publishAsync(`kiosk/v1/${K2}/jobs`, 'for-k2', { qos: 1 });
  await jobs.publishAsync(`kiosk/v1/${K1}/jobs`, 'for-k1', { qos: 1 });
  await until('K1 job', () => got.includes(`kiosk/v1/${K1}/jobs for-k1`));
  t.same(got, [`kiosk/v1/${K1}/jobs for-k1`]);
});

t.test('refusals are logged the first time and then every REFUSAL_LOG_EVERY times per client', async (t) => {
  const { broker, lines } = await brokerWithLog(t);
  const observer = await client(t, broker.url, 'observer');
  const filters = Array.from({ length: REFUSAL_LOG_EVERY + 1 }, (_, i) => `kiosk/v1/RJ-JAI-${String(i).padStart(4, '0')}/jobs`);
  const codes = await grants(observer, filters);
  t.ok(codes.length === filters.length && codes.every((c) => c === 128), 'every filter refused');
  t.equal(broker.refused.subscribe, REFUSAL_LOG_EVERY + 1);
  t.same(lines.map((l) => l['refusals']), [1, REFUSAL_LOG_EVERY]);
  t.equal(await granted(observer, 'weather/jaipur'), 1, 'topics outside the contract stay open');
});

t.test('enrollment: a claimant reads and writes only its own claim topics', async (t) => {
  const { broker } = await brokerWithLog(t);
  const claims = await client(t, broker.url, 'kiosk-fleet-claims-test');
  const requests = inbox(claims);
  await claims.subscribeAsync('provisioning/v1/+/request', { qos: 1 });
  const claimant = await client(t, broker.url, CLAIMANT);
  const answers = inbox(claimant);
  t.equal(await granted(claimant, `provisioning/v1/${CLAIMANT}/response`), 1);
  t.equal(await granted(claimant, 'provisioning/v1/+/response'), 128, "others' answers refused");
  await claimant.publishAsync(`provisioning/v1/${CLAIMANT}/request`, 'csr', { qos: 1 });
  await until('request', () => requests.length === 1);
  await claims.publishAsync(`provisioning/v1/${CLAIMANT}/response`, 'cert', { qos: 1 });
  await until('answer', () => answers.length === 1);
  t.same(answers, [`provisioning/v1/${CLAIMANT}/response cert`]);
  t.equal(broker.refused.subscribe, 1);
});

t.test("a kiosk's will goes out on its own status topic; a will under another id does not", async (t) => {
  const { broker } = await brokerWithLog(t);
  const central = await client(t, broker.url, 'kiosk-fleet-test');
  const got = inbox(central);
  await central.subscribeAsync('kiosk/v1/+/status', { qos: 1 });
  const drop = (id: string): void => {
    (broker.broker as unknown as { clients: Record<string, { conn: { destroy(): void } }> }).clients[id]?.conn.destroy();
  };
  const honest = await connectAsync(broker.url, { clientId: K1, reconnectPeriod: 0, will: { topic: `kiosk/v1/${K1}/status`, payload: Buffer.from('gone'), qos: 1, retain: false } });
  t.teardown(() => honest.endAsync(true));
  const forger = await connectAsync(broker.url, { clientId: K2, reconnectPeriod: 0, will: { topic: `kiosk/v1/${K1}/status`, payload: Buffer.from('forged'), qos: 1, retain: false } });
  t.teardown(() => forger.endAsync(true));
  drop(K2);
  await until('the forged will refused', () => broker.refused.publish === 1);
  drop(K1);
  await until('the will', () => got.length === 1);
  t.same(got, [`kiosk/v1/${K1}/status gone`]);
});

t.test('acl: false gives an open broker', async (t) => {
  const { broker } = await brokerWithLog(t, false);
  const observer = await client(t, broker.url, 'observer');
  const got = inbox(observer);
  t.equal(await granted(observer, 'kiosk/v1/+/+'), 1);
  const other = await client(t, broker.url, 'late-will-sender');
  await other.publishAsync(`kiosk/v1/${K1}/status`, 'x', { qos: 1 });
  await until('delivery', () => got.length === 1);
  t.same(broker.refused, { publish: 0, subscribe: 0 });
});

t.test('kiosk-fleet serve with the embedded broker: refusals in the periodic account', async (t) => {
  const clock = new FakeClock();
  const { log, lines } = captureLogger('warn');
  const fleet = await startFleet(embeddedFleetOptions(t, { log, clock, statsEveryMs: 60_000 }));
  t.teardown(() => fleet.close());
  await fleet.ready;
  clock.advance(60_000);
  t.notOk(lines.some((l) => l['msg'] === 'kiosk ACL refusals since start'), 'nothing to say while nothing was refused');
  const k1 = await client(t, fleet.url, K1);
  const closed = new Promise<void>((resolve) => k1.once('close', () => resolve()));
  k1.publish(`kiosk/v1/${K2}/status`, 'forged', { qos: 1 });
  await closed;
  clock.advance(60_000);
  t.match(lines.filter((l) => l['msg'] === 'kiosk ACL refusals since start'), [{ ns: 'fleet:broker', publish: 1, subscribe: 0 }]);
  t.equal(await fleet.repo.getKiosk(K2), undefined, 'the forged status never reached the fleet');
});
