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
  t.match(await r.service.get(v.id), { state: 'expired', reason: 'unsent', ageSec: 6 * 3600 + 1 });
  t.same(await channels(r), ['events'], 'the envelope is gone; the event is queued');
  const ev = JSON.parse((await r.outbox.peek(0, 1))[0]!.payload) as { type: string; data: Record<string, unknown> };
  t.match(ev, { type: 'capture.expired', severity: 'warning', data: { captureId: v.id, service: 'EKYC', ageSec: 21601, ttlSec: 21600, reason: 'unsent' } });
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

// A sent capture central never answers: at its time to live the held envelope is deleted and the
// capture expires `unanswered` in the same commit, with its event. Central may still have
// authenticated it, so an answer that comes later applies, once.
const accepted = (captureId: string) => Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId, result: 'accepted', authRef: 'AUTH-1' }));

/** Takes a capture and has the broker acknowledge its envelope (the publisher's ack), then marks it sent. */
async function sentCapture(r: Awaited<ReturnType<typeof rig>>, n = 1) {
  const v = await r.service.take(request(n));
  const envelope = (await r.outbox.peek(0, 100)).find((x) => x.channel === 'captures' && (JSON.parse(x.payload) as { captureId: string }).captureId === v.id)!;
  await r.outbox.ack([envelope.id]);
  await r.service.sweep();
  return v;
}

t.test('sent, never answered, past its time to live: expired unanswered with its event, envelope deleted', async (t) => {
  const r = await rig(t, { resendSec: 7200 });
  const v = await sentCapture(r);
  t.equal((await r.service.get(v.id))?.state, 'sent');
  const heldBefore = await r.store.get<{ n: number }>('SELECT count(*) AS n FROM outbox JOIN outbox_held USING (id)');
  t.equal(heldBefore?.n, 1, 'the envelope is held for central');
  const depth = r.outbox.depth();

  r.time.advance(6 * H - 1000);
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 1 }, 'not before the time to live (one resend on the way)');
  t.equal((await r.service.get(v.id))?.state, 'sent');
  r.time.advance(1000);
  t.same(await r.service.sweep(), { sent: 0, expired: 1, resent: 0 });
  t.match(await r.service.get(v.id), { state: 'expired', reason: 'unanswered', ageSec: 6 * 3600, transactionRecorded: false });
  t.notOk((await r.service.get(v.id))?.answeredLate);
  t.same(await r.store.all("SELECT id FROM outbox WHERE channel = 'captures'"), [], 'the envelope is gone from the database');
  t.same(await r.store.all('SELECT id FROM outbox_held'), []);
  t.equal((await r.store.get<{ outbox_id: number | null }>('SELECT outbox_id FROM captures WHERE id = ?', [v.id]))?.outbox_id, null);
  const ev = (await r.outbox.peek(0, 100)).filter((x) => x.channel === 'events').map((x) => JSON.parse(x.payload) as { type: string; data: unknown });
  t.match(ev, [{ type: 'capture.expired', severity: 'warning', data: { captureId: v.id, service: 'EKYC', ageSec: 21600, ttlSec: 21600, reason: 'unanswered' } }]);
  t.same(r.outbox.depth(), { rows: depth.rows, bytes: r.outbox.depth().bytes }, 'one row out (the envelope), one in (the event)');
  t.ok(r.outbox.depth().bytes < depth.bytes, 'the envelope bytes are accounted as gone');
  t.equal(r.service.stats.expired, 1);
  t.same(await r.service.summary(), { expired: 1 });

  // Later sweeps neither resend nor expire it again.
  r.time.advance(24 * H);
  t.same(await r.service.sweep(), { sent: 0, expired: 0, resent: 0 });
  t.equal((await r.store.get<{ n: number }>("SELECT count(*) AS n FROM events WHERE type = 'capture.expired'"))?.n, 1);

  // Central's answer comes after all (across a restart): applied once, marked late.
  await r.restart();
  t.equal(await r.service.onResult(accepted(v.id)), 'applied', 'a late answer still applies');
  t.match(await r.service.get(v.id), { state: 'accepted', transactionRecorded: true, receiptPrinted: true, answeredLate: true, authRef: 'AUTH-1' });
  t.notOk((await r.service.get(v.id))?.reason, 'the expiry reason is replaced by the answer');
  t.equal(r.recorded.length, 1, 'one transaction');
  t.match(r.recorded[0], { captureId: v.id, commissionPaise: 1800, chargedPaise: 0 });
  t.same(r.printed, [v.id], 'the receipt printed once');
  t.equal((await r.store.get<{ n: number }>("SELECT count(*) AS n FROM kv WHERE key LIKE 'txn:%'"))?.n, 1);

  // A redelivery of the same answer (or a resend's duplicate) changes nothing.
  t.equal(await r.service.onResult(accepted(v.id)), 'ignored');
  t.equal(await r.service.onResult(Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId: v.id, result: 'duplicate', original: 'accepted' }))), 'ignored');
  t.equal(r.recorded.length, 1);
  t.same(r.printed, [v.id]);
  t.same(await r.service.summary(), { accepted: 1 });
});

t.test('a late rejection applies too; a capture expired unsent still ignores a result', async (t) => {
  const r = await rig(t, { resendSec: 7200 });
  const sent = await sentCapture(r, 1);
  const queued = await r.service.take(request(2));
  r.time.advance(6 * H);
  t.same(await r.service.sweep(), { sent: 0, expired: 2, resent: 0 });
  t.match(await r.service.get(sent.id), { state: 'expired', reason: 'unanswered' });
  t.match(await r.service.get(queued.id), { state: 'expired', reason: 'unsent' });
  const reasons = (await r.store.all<{ data: string }>("SELECT data FROM events WHERE type = 'capture.expired' ORDER BY seq")).map((e) => (JSON.parse(e.data) as { reason: string }).reason);
  t.same(reasons.sort(), ['unanswered', 'unsent']);

  const rejected = Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId: sent.id, result: 'rejected', code: 'K-100', reason: 'biometric mismatch' }));
  t.equal(await r.service.onResult(rejected), 'applied');
  t.match(await r.service.get(sent.id), { state: 'rejected', code: 'K-100', reason: 'biometric mismatch', answeredLate: true, transactionRecorded: false });
  t.equal(await r.service.onResult(accepted(queued.id)), 'ignored', 'never uploaded: nothing central says about it is applied');
  t.equal(r.recorded.length, 0);
  t.same(r.printed, []);
});

t.test('a sent capture an earlier version gave up (envelope gone, still sent) expires unanswered at the next sweep', async (t) => {
  const r = await rig(t);
  const v = await sentCapture(r);
  // What the previous release left: the envelope deleted past the time to live, the row left `sent`.
  await r.store.transaction(async (tx) => {
    const row = await tx.get<{ outbox_id: number }>('SELECT outbox_id FROM captures WHERE id = ?', [v.id]);
    await tx.run('DELETE FROM outbox WHERE id = ?', [row!.outbox_id]);
    await tx.run('UPDATE captures SET outbox_id = NULL, age_ms = ? WHERE id = ?', [6 * H + 5000, v.id]);
  });
  await r.restart();
  t.match(await r.service.get(v.id), { state: 'expired', reason: 'unanswered', ageSec: 6 * 3600 + 5 }, 'expired by the start-up sweep');
  t.equal((await r.store.get<{ n: number }>("SELECT count(*) AS n FROM events WHERE type = 'capture.expired'"))?.n, 1);
});
