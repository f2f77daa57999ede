// The inbox of downward messages (agent/mqtt/inbox.ts, migration 5): a result is recorded and
// acknowledged without waiting for it to be applied, the connection goes on reading meanwhile,
// and what was recorded is applied in order, once, also after a restart.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { Store } from '../../../agent/store/db.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { startAedes } from '../../helpers/aedes.js';
import { Collector } from '../../helpers/collector.js';
import { kioskLink } from './fixtures.js';

const KIOSK = 'RJ-JAI-0007';

async function setup(t: Test, url: string, dir: string) {
  const rig = await kioskLink(url, dir, { kioskId: KIOSK, window: 20 });
  const { store, link, publisher } = rig;
  t.teardown(async () => {
    await link.stop();
    publisher.close();
    await store.close().catch(() => undefined);
  });
  return rig;
}

const count = async (store: Store, sql: string) => (await store.get<{ n: number }>(sql))?.n ?? 0;

t.test('a result being applied holds up neither its PUBACK nor the uploads', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const central = await Collector.start(broker.url, `kiosk/v1/${KIOSK}/events`, 'kiosk-fleet-inbox');
  t.teardown(() => central.close());
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  t.teardown(() => open()); // before the link's teardown, which waits for the handler
  const a = await setup(t, broker.url, t.testdir({}));
  const applied: string[] = [];
  // A plain handler: one applied in the inbox's transaction would hold the agent's one store
  // connection while it waits, and the uploads need the store too.
  a.link.onMessage('capture-results', async (payload) => {
    await gate;
    const id = (JSON.parse(payload.toString()) as { captureId: string }).captureId;
    await a.store.run('INSERT INTO kv (key, value) VALUES (?, ?)', [`applied:${id}`, '1']);
    applied.push(id);
  });
  const acked: number[] = [];
  broker.broker.on('ack', (packet, client) => {
    if (client?.id === KIOSK && packet?.cmd === 'publish' && packet.topic.endsWith('/capture-results')) acked.push(packet.messageId ?? 0);
  });
  const subscribed = new Promise<void>((resolve) => broker.broker.on('subscribe', (_s, c) => c?.id === KIOSK && resolve()));
  a.link.start();
  await subscribed;
  for (let i = 0; i < 5; i++) await central.client.publishAsync(`kiosk/v1/${KIOSK}/capture-results`, JSON.stringify({ captureId: `c${i}` }), { qos: 1 });
  for (let n = 0; n < 200; n++) await a.events.emit('sim.tick', 'info', { n });
  await central.until(() => central.on('events').length >= 200, 10_000, '200 events while the first result is being applied');
  t.ok(await a.publisher.drained(5000), 'the uploads drained with the result handler still waiting');
  for (let i = 0; i < 100 && acked.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(acked.length, 5, 'each result acknowledged once recorded, before it is applied');
  t.equal(await count(a.store, 'SELECT count(*) AS n FROM inbox'), 5, 'the five wait in the inbox');
  t.same(applied, [], 'none applied yet');
  open();
  for (let i = 0; i < 200 && applied.length < 5; i++) await new Promise((r) => setTimeout(r, 10));
  t.same(applied, ['c0', 'c1', 'c2', 'c3', 'c4'], 'applied in the order they arrived');
  t.equal(await count(a.store, "SELECT count(*) AS n FROM kv WHERE key LIKE 'applied:%'"), 5);
  t.equal(await count(a.store, 'SELECT count(*) AS n FROM inbox'), 0, 'the inbox is empty');
});

t.test('what a killed run recorded is applied at the next start, once; a handler that throws drops only its message', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const dir = t.testdir({});
  // A run that recorded three results and a job and was killed before applying them.
  const first = await Store.open(join(dir, 'a.db'), { logger: silentLogger });
  for (const [channel, body] of [
    ['capture-results', 'r1'],
    ['jobs', 'j1'],
    ['capture-results', 'bad'],
    ['capture-results', 'r2'],
  ] as const) {
    await first.run('INSERT INTO inbox (channel, topic, payload, received_ts) VALUES (?, ?, ?, ?)', [channel, `kiosk/v1/${KIOSK}/${channel}`, Buffer.from(body), 1]);
  }
  await first.close();

  const a = await setup(t, broker.url, dir);
  const order: string[] = [];
  a.link.onMessageInTx('capture-results', async (tx, payload) => {
    const body = payload.toString();
    await tx.run('INSERT INTO kv (key, value) VALUES (?, ?)', [`applied:${body}`, '1']);
    if (body === 'bad') throw new Error('not a result');
    order.push(body);
  });
  a.link.onMessage('jobs', (payload) => {
    order.push(payload.toString());
    return Promise.resolve();
  });
  a.link.start();
  for (let i = 0; i < 200 && a.link.applied < 4; i++) await new Promise((r) => setTimeout(r, 10));
  t.same(order, ['r1', 'j1', 'r2'], 'in order, across both kinds of handler');
  t.same(
    (await a.store.all<{ key: string }>("SELECT key FROM kv WHERE key LIKE 'applied:%' ORDER BY key")).map((r) => r.key),
    ['applied:r1', 'applied:r2'],
    "the failing message's writes are rolled back, the others kept",
  );
  t.equal(await count(a.store, 'SELECT count(*) AS n FROM inbox'), 0);
});
