import t, { type Test } from 'tap';
import { startAedes } from '../../helpers/aedes.js';
import { Collector } from '../../helpers/collector.js';
import { kioskLink } from './fixtures.js';

function setup(t: Test, url: string, dir = t.testdir({})) {
  return kioskLink(url, dir, { kioskId: 'RJ-JAI-0001', window: 50 });
}

t.test('queued offline, drained in order on connect, deleted on PUBACK', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const sub = await Collector.start(broker.url, 'kiosk/v1/+/+');
  t.teardown(() => sub.close());
  const a = await setup(t, broker.url);
  for (let n = 0; n < 500; n++) await a.events.emit('sim.tick', 'info', { n });
  t.equal(a.outbox.depth().rows, 500);
  a.link.start();
  await sub.until(() => sub.on('events').length === 500, 10_000, '500 events');
  t.same(sub.on('events').map((r) => (r.message['data'] as { n: number }).n), [...Array(500).keys()], 'in order, none missing');
  const status = sub.on('status');
  t.equal(status[0]?.message['state'], 'online');
  t.equal(status[0]?.message['session'], 1);
  t.ok(await a.publisher.drained(5000), 'drained');
  t.equal(a.outbox.depth().rows, 0);
  t.equal((await a.store.get<{ n: number }>('SELECT count(*) AS n FROM outbox'))?.n, 0, 'rows deleted');
  await a.link.stop();
  await sub.until(() => sub.on('status').some((r) => r.message['state'] === 'offline'), 5000, 'offline');
  t.match(sub.on('status').at(-1)?.message, { state: 'offline', reason: 'shutdown', session: 1 });
  a.publisher.close();
  await a.store.close();
});

t.test('connection cut mid-stream: replay from the oldest unacknowledged, nothing lost', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const sub = await Collector.start(broker.url, 'kiosk/v1/+/events');
  t.teardown(() => sub.close());
  const a = await setup(t, broker.url);
  a.link.start();
  let cuts = 0;
  for (let n = 0; n < 2000; n++) {
    await a.events.emit('sim.tick', 'info', { n });
    if (n % 400 === 399) {
      // Cut the kiosk's connection; the broker and the subscriber stay up.
      broker.dropClient('RJ-JAI-0001');
      cuts++;
    }
  }
  await sub.until(() => sub.on('events').length === 2000, 20_000, '2000 unique events');
  t.equal(cuts, 5);
  t.same(sub.on('events').map((r) => (r.message['data'] as { n: number }).n), [...Array(2000).keys()], 'in order after dedupe');
  t.ok(a.link.session > 1, `reconnected (${a.link.session} sessions)`);
  t.ok(await a.publisher.drained(5000));
  await a.link.stop();
  a.publisher.close();
  await a.store.close();
});

t.test('each connection takes a new session; the will carries it', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const sub = await Collector.start(broker.url, 'kiosk/v1/+/status');
  t.teardown(() => sub.close());
  const a = await setup(t, broker.url);
  a.link.start();
  await sub.until(() => sub.on('status').length === 1, 5000, 'birth 1');
  broker.dropClient('RJ-JAI-0001'); // an unclean disconnect: the broker sends the will
  await sub.until(() => sub.all.filter((r) => r.message['state'] === 'online' && r.message['session'] === 2).length === 1, 5000, 'birth 2');
  const wills = sub.all.filter((r) => r.message['state'] === 'offline');
  t.ok(wills.every((w) => w.message['reason'] === 'will' && w.message['session'] === 1), 'a will only for session 1');
  await a.link.stop();
  a.publisher.close();
  await a.store.close();
});

t.test('downward messages reach their handler, also those sent while the kiosk was offline', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const central = await Collector.start(broker.url, 'kiosk/v1/+/status');
  t.teardown(() => central.close());
  const a = await setup(t, broker.url);
  const got: string[] = [];
  a.link.onMessage('jobs', (payload) => {
    got.push(payload.toString());
    return Promise.resolve();
  });
  a.link.onMessage('capture-results', () => Promise.reject(new Error('bad input')));
  const subscribed: string[] = [];
  broker.broker.on('subscribe', (subs, client) => {
    if (client.id === 'RJ-JAI-0001') subscribed.push(...subs.map((s) => s.topic));
  });
  a.link.start();
  await central.until(() => central.on('status').length === 1, 5000, 'birth');
  await central.until(() => subscribed.length === 2, 5000, 'subscription');
  t.same(subscribed.sort(), ['kiosk/v1/RJ-JAI-0001/capture-results', 'kiosk/v1/RJ-JAI-0001/jobs'], 'only the handled downward channels, never its own upward ones');
  await central.client.publishAsync('kiosk/v1/RJ-JAI-0001/capture-results', 'garbage', { qos: 1 });
  await central.client.publishAsync('kiosk/v1/RJ-JAI-0001/jobs', '{"id":"j1"}', { qos: 1 });
  await central.client.publishAsync('kiosk/v1/RJ-JAI-0002/jobs', '{"id":"other kiosk"}', { qos: 1 });
  await central.until(() => got.length === 1, 5000, 'job 1');
  // Offline: the broker keeps the job in the kiosk's persistent session.
  await a.link.stop();
  await central.client.publishAsync('kiosk/v1/RJ-JAI-0001/jobs', '{"id":"j2"}', { qos: 1 });
  const b = await setup(t, broker.url, t.testdir({}));
  b.link.onMessage('jobs', (payload) => {
    got.push(payload.toString());
    return Promise.resolve();
  });
  b.link.start();
  await central.until(() => got.length === 2, 5000, 'job 2 after reconnect');
  t.same(got, ['{"id":"j1"}', '{"id":"j2"}'], 'a failing handler does not stop the next message');
  await b.link.stop();
  a.publisher.close();
  b.publisher.close();
  await a.store.close();
  await b.store.close();
});
