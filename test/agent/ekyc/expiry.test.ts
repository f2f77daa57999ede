// Time to live (issue 7, DESIGN §6): an expired capture is deleted unsent and reported as
// `capture.expired`. The age is measured on the monotonic clock (carried across reboots), so a
// wall clock that is wrong or jumps neither keeps a stale capture alive nor expires a fresh one.
import t from 'tap';
import mqtt from 'mqtt';
import { Publisher } from '../../../agent/mqtt/publisher.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { startAedes } from '../../helpers/aedes.js';
import { request, rig } from './fixtures.js';

const H = 3600_000;

const channels = async (r: Awaited<ReturnType<typeof rig>>) => (await r.outbox.peek(0, 100)).map((x) => x.channel);

t.test('expires on monotonic age, whatever the wall clock says', async (t) => {
  const r = await rig(t);
  const v = await r.service.take(request(1));
  r.time.mono += 6 * H - 1000;
  r.time.ts -= 400 * 24 * H; // fake-hwclock restored an old time: untrusted and wrong
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 0 });
  t.equal((await r.service.get(v.id))?.state, 'queued');
  r.time.mono += 2000;
  t.same(await r.service.sweep(), { sent: 0, expired: 1, resent: 0 });
  t.match(await r.service.get(v.id), { state: 'expired', ageSec: 6 * 3600 + 1 });
  t.same(await channels(r), ['events'], 'the envelope is gone; the event is queued');
  const ev = JSON.parse((await r.outbox.peek(0, 1))[0]!.payload) as { type: string; data: Record<string, unknown> };
  t.match(ev, { type: 'capture.expired', severity: 'warning', data: { captureId: v.id, service: 'EKYC', ageSec: 21601, ttlSec: 21600 } });
  t.same(await r.store.all('SELECT id FROM outbox WHERE channel = ?', ['captures']), []);
  // A late result for it changes nothing.
  t.equal(await r.service.onResult(Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId: v.id, result: 'accepted' }))), 'ignored');
  t.equal(r.recorded.length, 0);
});

t.test('a wall clock jumping a year ahead does not expire a fresh capture', async (t) => {
  const r = await rig(t);
  const v = await r.service.take(request(1));
  r.time.ts += 365 * 24 * H;
  r.time.mono += 60_000;
  await r.service.sweep();
  t.equal((await r.service.get(v.id))?.state, 'queued');
});

t.test('age carries across restarts and reboots; a trusted clock counts the time the kiosk was off', async (t) => {
  const r = await rig(t);
  const a = await r.service.take(request(1));
  r.time.mono += 4 * H;
  await r.service.sweep();
  await r.restart({ reboot: true }); // power cut: a new boot, monotonic time starts again
  t.equal((await r.service.get(a.id))?.state, 'queued');
  r.time.mono += 2 * H; // 4 h in the first boot + 2 h 2 s of this one
  await r.service.sweep();
  t.equal((await r.service.get(a.id))?.state, 'expired');

  // Taken on a trusted clock, off for 7 hours, back on a trusted clock: expired at start, before any send.
  r.time.synced = true;
  const b = await r.service.take(request(2));
  r.time.ts += 7 * H;
  await r.restart({ reboot: true });
  t.equal((await r.service.get(b.id))?.state, 'expired', 'expired by the start-up sweep');
  t.equal(r.service.stats.expired, 1);
});

t.test('an expired capture never reaches the broker; its expiry does', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const r = await rig(t);
  await r.service.take(request(1));
  const fresh = await r.service.take(request(2));
  await r.store.run("UPDATE captures SET age_ms = 6 * 3600 * 1000 WHERE id != ?", [fresh.id]);
  await r.service.sweep();
  const seen: string[] = [];
  const sub = await mqtt.connectAsync(broker.url, { clientId: 'expiry-sub' });
  t.teardown(() => sub.endAsync());
  sub.on('message', (topic, payload) => seen.push(`${topic.split('/')[3]}:${(JSON.parse(payload.toString()) as { captureId?: string; type?: string }).captureId ?? (JSON.parse(payload.toString()) as { type: string }).type}`));
  await sub.subscribeAsync('kiosk/v1/+/+', { qos: 1 });
  const client = await mqtt.connectAsync(broker.url, { clientId: 'RJ-JAI-0001' });
  t.teardown(() => client.endAsync());
  const publisher = new Publisher(r.outbox, 10, silentLogger);
  publisher.attach(client);
  t.ok(await publisher.drained(5000), 'drained');
  publisher.close();
  await new Promise((res) => setTimeout(res, 100));
  t.same(seen.sort(), ['captures:' + fresh.id, 'events:capture.expired'].sort());
});
