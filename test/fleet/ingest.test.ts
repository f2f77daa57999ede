import t from 'tap';
import { join } from 'node:path';
import { CHANNEL_SCHEMAS, MAX_PAYLOAD_BYTES, UP_CHANNELS } from '../../protocols/telemetry/index.js';
import { Ingestor } from '../../fleet/ingest.js';
import { SqliteFleetRepository } from '../../fleet/store/sqlite-repository.js';
import { birth, bytes, captureLogger, death, event, FakeClock, heartbeat, state, tempDir } from './fixtures/helpers.js';

const K = 'RJ-JAI-0001';
const topic = (channel: string, id = K): string => `kiosk/v1/${id}/${channel}`;

async function setup(t: { teardown(fn: () => unknown): void }) {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const clock = new FakeClock();
  const { log, lines } = captureLogger('info');
  const ingest = new Ingestor({ repo, clock, log, invalidLogIntervalMs: 60_000 });
  return { repo, clock, ingest, lines };
}

t.test('valid status, heartbeat, state and events are stored with their receive time', async (t) => {
  const { repo, clock, ingest } = await setup(t);
  t.equal(await ingest.handle(topic('status'), bytes(birth(3, { heartbeatSec: 30 }))), 'stored');
  clock.advance(1000);
  t.equal(await ingest.handle(topic('heartbeat'), bytes(heartbeat(11, { q: 4, sum: 'fp:ok prn:paper-low' }))), 'stored');
  t.equal(await ingest.handle(topic('state'), bytes(state(5))), 'stored');
  // A type newer than the contract: the open union keeps it, with its data as sent.
  t.equal(await ingest.handle(topic('events'), bytes(event(1, 'fleet_test.newer_type', { on: 'battery' }))), 'stored');
  const k = await repo.getKiosk(K);
  t.match(k, {
    district: 'Jaipur',
    lsp: 'e-Mitra LSP 7',
    agentVersion: '0.1.0',
    liveness: 'online',
    reason: 'birth',
    session: 3,
    heartbeatSec: 30,
    keepaliveSec: 60,
    statusAt: clock.t - 1000,
    heartbeatAt: clock.t,
    lastBeatAt: clock.t,
    lastSeenAt: clock.t,
    heartbeat: { seq: 11, q: 4, sum: 'fp:ok prn:paper-low' },
    state: { seq: 5, devices: { printer: { state: 'degraded' } } },
  });
  const events = await repo.listEvents(K);
  t.match(events, [{ kioskId: K, seq: 1, type: 'fleet_test.newer_type', severity: 'info', data: { on: 'battery' }, receivedAt: clock.t }]);
  t.same(ingest.stats, { stored: 4, duplicate: 0, invalid: 0, ignored: 0, failed: 0 });
});

t.test('redelivered duplicates are dropped', async (t) => {
  const { repo, ingest } = await setup(t);
  await ingest.handle(topic('status'), bytes(birth(1)));
  t.equal(await ingest.handle(topic('events'), bytes(event(4))), 'stored');
  t.equal(await ingest.handle(topic('events'), bytes(event(4))), 'duplicate', 'same event seq');
  t.equal(await ingest.handle(topic('heartbeat'), bytes(heartbeat(9))), 'stored');
  t.equal(await ingest.handle(topic('heartbeat'), bytes(heartbeat(8, { q: 99 }))), 'duplicate', 'older heartbeat');
  t.equal((await repo.getKiosk(K))?.heartbeat?.q, 0, 'the older heartbeat did not overwrite');
  t.equal(await ingest.handle(topic('heartbeat'), bytes(heartbeat(1, { boot: 'another-boot' }))), 'stored', 'a new boot may restart seq');
  t.equal(await ingest.handle(topic('state'), bytes(state(3))), 'stored');
  t.equal(await ingest.handle(topic('state'), bytes(state(3))), 'duplicate', 'retained state replayed');
  t.equal(await ingest.handle(topic('status'), bytes(birth(1))), 'duplicate', 'retained birth replayed');
  t.equal((await repo.listEvents(K)).length, 1);
});

t.test('a will after a newer birth does not mark the kiosk offline', async (t) => {
  const { repo, ingest, lines } = await setup(t);
  await ingest.handle(topic('status'), bytes(birth(5)));
  await ingest.handle(topic('status'), bytes(birth(6)));
  t.equal(await ingest.handle(topic('status'), bytes(death(5))), 'duplicate');
  t.match(await repo.getKiosk(K), { liveness: 'online', reason: 'birth', session: 6 });
  t.ok(lines.find((l) => l.msg === 'status ignored' && l.note === 'stale-will' && l.kiosk === K), 'the ignored will is logged');
  t.equal(await ingest.handle(topic('status'), bytes(death(6))), 'stored');
  t.match(await repo.getKiosk(K), { liveness: 'offline', reason: 'will', session: 6, status: { state: 'offline', reason: 'will' } });
  t.ok(lines.find((l) => l.msg === 'liveness' && l.liveness === 'offline'), 'liveness changes are logged');
});

t.test('invalid messages are counted, logged with the kiosk id, rate-limited, and dropped', async (t) => {
  const { repo, clock, ingest, lines } = await setup(t);
  await ingest.handle(topic('status'), bytes(birth(1)));
  const garbage: [string, string, Uint8Array][] = [
    ['non-JSON', topic('heartbeat'), Buffer.from('{"v":1, oops')],
    ['schema-breaking', topic('heartbeat'), bytes({ ...heartbeat(2), q: -1 })],
    ['wrong contract version', topic('status'), bytes({ ...birth(2), v: 2 })],
    ['known event with bad data', topic('events'), bytes(event(3, 'agent.stop', { reason: 42 }))],
    ['oversized', topic('state'), Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20)],
    ['binary garbage', topic('events'), Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x9f, 0xc3, 0x28])],
    ['JSON but not an object', topic('status'), Buffer.from('[1,2,3]')],
    ['unknown channel of a kiosk', topic('nope'), bytes(heartbeat(4))],
    ['empty heartbeat (not a retained channel)', topic('heartbeat'), Buffer.alloc(0)],
  ];
  for (const [name, tp, payload] of garbage) t.equal(await ingest.handle(tp, payload), 'invalid', name);
  t.equal(await ingest.handle('kiosk/v1/lower-case/status', bytes(birth(1))), 'invalid', 'topic naming no valid kiosk');
  t.equal(await ingest.handle('kiosk/v1/A/B/C/status', Buffer.from('x')), 'invalid', 'too deep');

  const k = await repo.getKiosk(K);
  t.equal(k?.invalidCount, garbage.length, 'counted per kiosk');
  t.match(k, { liveness: 'online', session: 1 }, 'the kiosk is not disturbed');
  t.equal(await repo.invalidTotal(), garbage.length + 2, 'counted in total, with those naming no kiosk');
  t.equal(await repo.getKiosk('lower-case'), undefined, 'no row for a topic that names no valid kiosk');

  const warned = lines.filter((l) => l.msg === 'invalid message dropped');
  t.equal(warned.length, 2, 'one line per kiosk (and one for no kiosk) within the interval');
  t.match(warned[0], { kiosk: K, error: /not JSON/, level: 40 });
  t.match(warned[1], { kiosk: null, topic: 'kiosk/v1/lower-case/status' });

  clock.advance(60_000);
  await ingest.handle(topic('heartbeat'), Buffer.from('nope'));
  const after = lines.filter((l) => l.msg === 'invalid message dropped');
  t.equal(after.length, 3, 'logs again after the interval');
  t.match(after[2], { kiosk: K, suppressedSinceLast: garbage.length - 1 });
  t.equal(ingest.stats.failed, 0);
});

t.test('downward channels and cleared retained messages are ignored, not counted', async (t) => {
  const { repo, ingest } = await setup(t);
  t.equal(await ingest.handle(topic('jobs'), bytes({ any: 1 })), 'ignored', 'downward: the fleet sent it');
  t.equal(await ingest.handle(topic('capture-results'), Buffer.from('x')), 'ignored');
  t.equal(await ingest.handle(topic('status'), Buffer.alloc(0)), 'ignored', 'retained message cleared');
  t.equal(await repo.invalidTotal(), 0);
});

t.test('upward channels the monitor does not store yet are still validated', async (t) => {
  const { repo, ingest } = await setup(t);
  const others = UP_CHANNELS.filter((c) => !['status', 'heartbeat', 'state', 'events'].includes(c));
  let invalid = 0;
  for (const c of others) {
    const expected = CHANNEL_SCHEMAS[c] ? 'invalid' : 'ignored';
    if (expected === 'invalid') invalid++;
    t.equal(await ingest.handle(topic(c), Buffer.from('not json')), expected, `${c}: ${expected}`);
  }
  t.equal(await repo.invalidTotal(), invalid);
});

t.test('one kiosk is handled in order even when messages are handed in at once', async (t) => {
  const { repo, ingest } = await setup(t);
  const all = [
    ingest.handle(topic('status'), bytes(birth(1))),
    ingest.handle(topic('status'), bytes(death(1))),
    ingest.handle(topic('status'), bytes(birth(2))),
    ...Array.from({ length: 20 }, (_, i) => ingest.handle(topic('events'), bytes(event(i + 1)))),
    ingest.handle(topic('status', 'MP-BPL-0002'), bytes(birth(9))),
  ];
  await Promise.all(all);
  t.match(await repo.getKiosk(K), { liveness: 'online', session: 2 });
  t.same((await repo.listEvents(K)).map((e) => e.seq), Array.from({ length: 20 }, (_, i) => i + 1));
  t.equal((await repo.getKiosk('MP-BPL-0002'))?.session, 9);
});

t.test('heartbeats: a quiet kiosk comes back, an ended session needs a birth', async (t) => {
  const { repo, ingest } = await setup(t);
  await ingest.handle(topic('status'), bytes(birth(1)));
  await ingest.handle(topic('status'), bytes(death(1)));
  t.equal(await ingest.handle(topic('heartbeat'), bytes(heartbeat(5))), 'stored', 'the heartbeat is kept as data');
  t.match(await repo.getKiosk(K), { liveness: 'offline', reason: 'will', heartbeat: { seq: 5 } });
  await ingest.handle(topic('heartbeat', 'MP-BPL-0002'), bytes(heartbeat(1)));
  t.match(await repo.getKiosk('MP-BPL-0002'), { liveness: 'online', reason: 'heartbeat', session: null });
});
