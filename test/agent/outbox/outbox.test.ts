import t, { type Test } from 'tap';
import { join } from 'node:path';
import { Store } from '../../../agent/store/db.js';
import { Outbox, OutboxFullError } from '../../../agent/outbox/outbox.js';
import { EventLog } from '../../../agent/outbox/events.js';
import { recordingLogger, silentLogger } from '../../../drivers/common/logger.js';
import { decodeMessage } from '../../../protocols/telemetry/index.js';

const time = { now: () => ({ ts: 1_700_000_000_000, mono: 123_456, boot: 'boot-1', synced: false }) };

async function open(t: Test, limits = { maxRows: 1000, maxBytes: 10_000_000 }) {
  const store = await Store.open(join(t.testdir({}), 'o.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, 'RJ-JAI-0001', time, limits, silentLogger);
  return { store, outbox, events: new EventLog(store, outbox, silentLogger) };
}

t.test('an event is a fact and an outbox row, stamped with the contract meta', async (t) => {
  const { store, outbox, events } = await open(t);
  const e = await events.emit('agent.start', 'info', { version: '0.1.0', pid: 1, previousExit: 'first' });
  t.equal(e.seq, 1);
  const rows = await outbox.peek(0, 10);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.topic, 'kiosk/v1/RJ-JAI-0001/events');
  const decoded = decodeMessage(rows[0]!.topic, Buffer.from(rows[0]!.payload));
  t.ok(decoded.ok, 'valid against the contract');
  t.match(JSON.parse(rows[0]!.payload), { v: 1, ts: 1_700_000_000_000, mono: 123_456, boot: 'boot-1', synced: false, seq: 1, type: 'agent.start' });
  t.equal((await store.all('SELECT * FROM events')).length, 1);
  t.same(outbox.depth().rows, 1);
});

t.test('sequence numbers are per channel and continue after a reopen', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'o.db');
  let store = await Store.open(path, { logger: silentLogger });
  let outbox = await Outbox.open(store, 'RJ-JAI-0001', time, { maxRows: 100, maxBytes: 1e6 }, silentLogger);
  let events = new EventLog(store, outbox, silentLogger);
  await events.emit('sim.tick', 'info', { n: 1 });
  await events.emit('sim.tick', 'info', { n: 2 });
  await outbox.publish('heartbeat', { up: 1, q: 0, sum: 'x' });
  await store.close();
  store = await Store.open(path, { logger: silentLogger });
  outbox = await Outbox.open(store, 'RJ-JAI-0001', time, { maxRows: 100, maxBytes: 1e6 }, silentLogger);
  events = new EventLog(store, outbox, silentLogger);
  t.equal(outbox.depth().rows, 3, 'depth recounted from disk');
  t.equal((await events.emit('sim.tick', 'info', { n: 3 })).seq, 3);
  const hb = await outbox.publish('heartbeat', { up: 2, q: 0, sum: 'x' });
  t.equal(hb.message.seq, 2);
  await store.close();
});

t.test('periodic messages keep only their latest copy; events are all kept, in order', async (t) => {
  const { outbox, events } = await open(t);
  for (let i = 0; i < 5; i++) {
    await outbox.publish('heartbeat', { up: i, q: 0, sum: 'x' });
    await events.emit('sim.tick', 'info', { n: i });
  }
  const rows = await outbox.peek(0, 100);
  t.equal(rows.filter((r) => r.channel === 'heartbeat').length, 1);
  t.equal(JSON.parse(rows.find((r) => r.channel === 'heartbeat')!.payload).up, 4);
  t.same(rows.filter((r) => r.channel === 'events').map((r) => JSON.parse(r.payload).data.n), [0, 1, 2, 3, 4]);
  t.equal(outbox.depth().rows, 6);
});

t.test('when full: events still go in, captures are refused, nothing is dropped', async (t) => {
  const log = recordingLogger();
  const store = await Store.open(join(t.testdir({}), 'f.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, 'RJ-JAI-0001', time, { maxRows: 10, maxBytes: 1_000_000 }, log);
  const events = new EventLog(store, outbox, silentLogger);
  for (let i = 0; i < 15; i++) await events.emit('sim.tick', 'info', { n: i });
  t.equal(outbox.depth().rows, 15, 'events past the bound are kept');
  t.ok(outbox.overLimit);
  t.equal(log.records.filter((r) => /over its bound/.test(r.msg ?? '')).length, 1, 'warned once per crossing');
  await t.rejects(outbox.publish('captures', { id: 'c1' }), OutboxFullError);
  await t.rejects(outbox.publish('captures', { id: 'c1' }), { code: 'OUTBOX_FULL', message: /queue for central is full/ });
  await outbox.publish('heartbeat', { up: 1, q: 15, sum: '' });
  await outbox.publish('heartbeat', { up: 2, q: 15, sum: '' });
  t.equal(outbox.depth().rows, 16, 'heartbeat coalesced even when full');
  const ids = (await outbox.peek(0, 100)).map((r) => r.id);
  await outbox.ack(ids.slice(0, 10));
  t.equal(outbox.depth().rows, 6);
  t.notOk(outbox.overLimit);
  await outbox.publish('captures', { id: 'c1' });
  t.equal(outbox.depth().rows, 7);
});

t.test('the byte bound counts too', async (t) => {
  const { outbox, events } = await open(t, { maxRows: 1000, maxBytes: 10_000 });
  for (let i = 0; i < 100; i++) await events.emit('sim.tick', 'info', { n: i });
  t.ok(outbox.depth().bytes >= 10_000);
  t.ok(outbox.overLimit);
  await t.rejects(outbox.publish('captures', { id: 'x' }), OutboxFullError);
});

t.test('ack deletes exactly the acknowledged rows', async (t) => {
  const { outbox, events } = await open(t);
  for (let i = 0; i < 700; i++) await events.emit('sim.tick', 'info', { n: i });
  const rows = await outbox.peek(0, 1000);
  await outbox.ack(rows.filter((_, i) => i % 2 === 0).map((r) => r.id));
  const left = await outbox.peek(0, 1000);
  t.equal(left.length, 350);
  t.ok(left.every((r) => JSON.parse(r.payload).data.n % 2 === 1));
  t.equal(outbox.depth().rows, 350);
  await outbox.ack(left.map((r) => r.id));
  t.same(outbox.depth(), { rows: 0, bytes: 0 });
});

t.test('pruning keeps the newest events and never one still waiting for central', async (t) => {
  const { store, outbox, events } = await open(t);
  for (let n = 0; n < 30; n++) await events.emit('sim.tick', 'info', { n });
  const rows = await outbox.peek(0, 100);
  await outbox.ack(rows.slice(0, 25).map((r) => r.id)); // seq 1..25 sent, 26..30 waiting
  t.equal(await events.prune(10), 20, 'seq 1..20 pruned');
  const left = (await store.all<{ seq: number }>('SELECT seq FROM events ORDER BY seq')).map((r) => r.seq);
  t.same(left, [21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  t.equal(await events.prune(2), 5, 'seq 21..25 pruned; the unsent 26..30 stay even past the count');
  t.same((await store.all<{ seq: number }>('SELECT seq FROM events ORDER BY seq')).map((r) => r.seq), [26, 27, 28, 29, 30]);
});
