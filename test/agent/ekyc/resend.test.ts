// The end-to-end acknowledgement of a capture (issue 7): the broker's PUBACK is not central's
// answer. A broker with nobody subscribed acknowledges an envelope and drops it, so the kiosk holds
// each envelope until the result comes and sends it again when none comes within ekyc.resendSec;
// past its time to live a held envelope is deleted and no longer sent and the capture expires
// `unanswered`, but a late answer applies.
import t, { type Test } from 'tap';
import mqtt from 'mqtt';
import { Publisher } from '../../../agent/mqtt/publisher.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { startAedes } from '../../helpers/aedes.js';
import { request, rig } from './fixtures.js';

const result = (captureId: string, extra: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId, result: 'accepted', ...extra }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One capture taken and published through a real broker that acknowledged it with nobody subscribed. */
async function publishedUnheard(t: Test, resendSec: number) {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const r = await rig(t, { resendSec });
  const v = await r.service.take(request(1));
  const client = await mqtt.connectAsync(broker.url, { clientId: 'RJ-JAI-0001' });
  t.teardown(() => client.endAsync());
  const publisher = new Publisher(r.outbox, 10, silentLogger);
  t.teardown(() => publisher.close());
  publisher.attach(client);
  // Nobody is subscribed: the broker acknowledges and drops it.
  t.ok(await publisher.drained(5000), 'the broker acknowledged it');
  return { broker, r, v, publisher };
}

t.test('an envelope the broker acknowledged but nobody received is sent again until answered', async (t) => {
  const { broker, r, v, publisher } = await publishedUnheard(t, 60);
  t.same(await r.service.sweep(), { sent: 1, expired: 0, resent: 0 });
  t.equal((await r.service.get(v.id))?.state, 'sent');
  t.equal((await r.store.get<{ n: number }>("SELECT count(*) AS n FROM outbox JOIN outbox_held USING (id) WHERE channel = 'captures'"))?.n, 1, 'the envelope is held');

  // Central comes; after resendSec without an answer the envelope goes again.
  const seen: string[] = [];
  const central = await mqtt.connectAsync(broker.url, { clientId: 'kiosk-fleet-captures-test' });
  t.teardown(() => central.endAsync());
  central.on('message', (_topic, payload) => seen.push((JSON.parse(payload.toString()) as { captureId: string }).captureId));
  await central.subscribeAsync('kiosk/v1/+/captures', { qos: 1 });
  r.time.advance(59_000);
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 0 }, 'not before resendSec');
  r.time.advance(1_000);
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 1 });
  for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(20);
  t.same(seen, [v.id], 'central receives it the second time');
  t.ok(await publisher.drained(5000));
  t.equal((await r.service.get(v.id))?.state, 'sent', 'still sent, not queued again');

  // Still no answer (say central's receiver went away again): the next wait is twice as long.
  r.time.advance(60_000);
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 0 }, 'not after resendSec the second time');
  r.time.advance(60_000);
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 1 }, 'after twice resendSec');
  t.ok(await publisher.drained(5000));
  for (let i = 0; i < 100 && seen.length < 2; i++) await sleep(20);
  t.same(seen, [v.id, v.id]);

  // The answer ends it: the held envelope is deleted, nothing more is sent.
  t.equal(await r.service.onResult(result(v.id)), 'applied');
  t.same(await r.store.all("SELECT id FROM outbox WHERE channel = 'captures'"), [], 'envelope deleted on the answer');
  r.time.advance(120_000);
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 0 });
  t.equal(r.recorded.length, 1);
});

t.test('a held envelope past its time to live is deleted and not sent again; a late answer still applies', async (t) => {
  const { r, v } = await publishedUnheard(t, 600);
  await r.service.sweep();
  r.time.advance(6 * 3600_000);
  const swept = await r.service.sweep();
  t.equal(swept.resent, 0, 'not sent again');
  t.same(await r.store.all("SELECT id FROM outbox WHERE channel = 'captures'"), [], 'the envelope is deleted');
  t.equal(swept.expired, 1, 'expired, since central never answered');
  t.match(await r.service.get(v.id), { state: 'expired', reason: 'unanswered' });
  t.equal(await r.service.onResult(result(v.id)), 'applied', 'an answer that comes later still counts');
  t.match(await r.service.get(v.id), { state: 'accepted', transactionRecorded: true, answeredLate: true });
  t.equal(r.recorded.length, 1);
  t.same(r.printed, [v.id]);
});
