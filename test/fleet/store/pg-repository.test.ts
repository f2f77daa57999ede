/**
 * The PostgreSQL repository against a real server started here: the same operations suite as
 * SQLite, and the core behaviours the SQLite test checks (atomic updates, unique events, invalid
 * counts, overdue kiosks), plus two instances updating one kiosk at once.
 */
import t, { type Test } from 'tap';
import { PgFleetRepository } from '../../../fleet/store/pg-repository.js';
import { emptyKiosk } from '../../../fleet/store/repository.js';
import { PG_BIN, type PgServer, startPostgres } from '../fixtures/postgres.js';
import { silentLogger } from '../../../fleet/log.js';
import { startFleet } from '../../../fleet/serve.js';
import mqtt from 'mqtt';
import { birth, bytes, event, waitFor } from '../fixtures/helpers.js';
import { operationsSuite } from './operations-suite.js';
import { accessSuite } from './access-suite.js';

if (!PG_BIN) {
  t.plan(0, 'no PostgreSQL server installed');
} else {
  let server: PgServer | undefined;
  t.before(async () => {
    server = await startPostgres();
  });
  t.teardown(() => server?.stop());
  const open = async (t: Test): Promise<PgFleetRepository> => {
    const repo = await PgFleetRepository.open(await server!.createDatabase());
    t.teardown(() => repo.close());
    return repo;
  };

  operationsSuite(t, open);
  accessSuite(t, open);

  t.test('kiosks: atomic read-modify-write, also from two instances at once', async (t) => {
    const repo = await open(t);
    const other = await PgFleetRepository.open(repo.db.pool.options.connectionString!);
    t.teardown(() => other.close());
    const bump = (r: PgFleetRepository) =>
      r.updateKiosk('MP-BPL-0007', (cur) => {
        const k = cur ?? emptyKiosk('MP-BPL-0007');
        return { ...k, session: (k.session ?? 0) + 1 };
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? repo : other)));
    t.equal((await repo.getKiosk('MP-BPL-0007'))?.session, 40, 'no update lost');
    t.equal((await repo.updateKiosk('MP-BPL-0007', () => undefined))?.session, 40);
    await t.rejects(repo.updateKiosk('MP-BPL-0007', () => {
      throw new Error('boom');
    }), /boom/);
    t.equal((await repo.getKiosk('MP-BPL-0007'))?.session, 40, 'a failed update rolls back');
  });

  t.test('sequence marks from two instances at once, in any order: every hole closed, none counted twice', async (t) => {
    const repo = await open(t);
    const other = await PgFleetRepository.open(repo.db.pool.options.connectionString!);
    t.teardown(() => other.close());
    // Seqs 1..40 of one kiosk, shuffled and split between the instances, all at once: the first
    // insert of the mark races, later ones lock its row.
    const seqs = Array.from({ length: 40 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    const marks = await Promise.all(seqs.map((seq, i) => (i % 2 ? repo : other).noteSeq('MP-BPL-0009', 'events', seq)));
    const gaps = marks.reduce((n, m) => n + (m.gap > 0 ? 1 : 0), 0);
    const row = await repo.db.get<{ last_seq: string; missed: string; gaps: string }>('SELECT last_seq, missed, gaps FROM seq_marks WHERE kiosk_id = ?', ['MP-BPL-0009']);
    t.equal(Number(row?.last_seq), 40, 'the newest seq is the mark');
    t.equal(Number(row?.gaps), gaps, 'every gap a caller was told of is counted once');
    // Every seq came, so every hole above the first seq noted was closed by its straggler; two
    // instances computing a gap from the same old mark would have left holes counted twice.
    t.equal(Number(row?.missed), 0, 'no hole left open');
  });

  t.test('events unique on kiosk and seq; invalid counts; meta; snapshot', async (t) => {
    const repo = await open(t);
    const e = { kioskId: 'RJ-JAI-0001', seq: 7, type: 'power.lost', severity: 'warning', ts: 1_764_000_000_000, mono: 2, boot: 'b', synced: false, data: { on: 'battery' }, receivedAt: 1_764_000_000_003 };
    t.equal(await repo.addEvent(e), true);
    t.equal(await repo.addEvent({ ...e, data: {} }), false);
    t.same(await repo.listEvents('RJ-JAI-0001'), [e]);
    await repo.countInvalid('RJ-JAI-0001', 'not JSON', 10);
    await repo.countInvalid('RJ-JAI-0001', 'schema: seq', 11);
    await repo.countInvalid(undefined, 'topic outside the contract', 12);
    await repo.setMeta('monitor.tickAt', '42');
    await repo.setMeta('monitor.tickAt', '43');
    t.equal(await repo.getMeta('monitor.tickAt'), '43');
    const snap = await repo.snapshot();
    t.same([snap.invalidTotal, snap.kiosks.map((k) => [k.invalidCount, k.lastInvalidError]), snap.meta], [3, [[2, 'schema: seq']], { 'monitor.tickAt': '43' }]);
    t.equal(await repo.invalidTotal(), 3);
  });

  t.test('listOverdue picks online kiosks past their own window', async (t) => {
    const repo = await open(t);
    const put = (id: string, liveness: 'online' | 'offline', lastBeatAt: number, heartbeatSec: number | null) =>
      repo.updateKiosk(id, () => ({ ...emptyKiosk(id), liveness, lastBeatAt, heartbeatSec }));
    await put('A-1', 'online', 0, 10);
    await put('A-2', 'online', 0, 60);
    await put('A-3', 'offline', 0, 10);
    await put('A-4', 'online', 0, null);
    t.same(await repo.listOverdue(30_000, 3, 60), []);
    t.same(await repo.listOverdue(30_001, 3, 60), ['A-1']);
    t.same(await repo.listOverdue(180_001, 3, 60), ['A-1', 'A-2', 'A-4']);
    t.same(await repo.listOverdue(180_001, 3, 60, 150_000), ['A-1']);
  });

  t.test('kiosk-fleet serve on PostgreSQL: --db postgres://…', async (t) => {
    const db = await server!.createDatabase();
    const fleet = await startFleet({ mqttUrl: 'mqtt://unused', embeddedBroker: { host: '127.0.0.1', port: 0 }, db, shareGroup: 'g', heartbeatMisses: 3, log: silentLogger, checkEveryMs: 200 });
    t.teardown(() => fleet.close());
    await fleet.ready;
    t.type(fleet.repo, PgFleetRepository);
    const c = await mqtt.connectAsync(fleet.url, { clientId: 'RJ-JAI-0009', reconnectPeriod: 0 });
    t.teardown(() => c.endAsync(true));
    await c.publishAsync('kiosk/v1/RJ-JAI-0009/status', bytes(birth(1)), { qos: 1, retain: true });
    await c.publishAsync('kiosk/v1/RJ-JAI-0009/events', bytes(event(1, 'capture.expired', { captureId: '0b7d2f52-5c1e-4c4a-9d51-3a1b2c3d4e5f', service: 'EKYC', ageSec: 9, ttlSec: 5 })), { qos: 1 });
    await waitFor(async () => (await fleet.repo.listOpenAlerts('RJ-JAI-0009')).some((a) => a.kind === 'captures-expired'), 'an alert stored in PostgreSQL', 10_000);
    t.match(await fleet.repo.getKiosk('RJ-JAI-0009'), { liveness: 'online', district: 'Jaipur' });
  });
}
