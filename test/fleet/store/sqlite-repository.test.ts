import t from 'tap';
import { join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, schemaVersion } from '../../../fleet/store/migrations.js';
import { emptyKiosk } from '../../../fleet/store/repository.js';
import { SqliteDb } from '../../../fleet/store/sqlite.js';
import { SqliteFleetRepository } from '../../../fleet/store/sqlite-repository.js';
import { tempDir } from '../fixtures/helpers.js';

t.test('opens with WAL, migrates to the latest schema, and reopens idempotently', async (t) => {
  const path = join(tempDir(t), 'fleet.db');
  const repo = await SqliteFleetRepository.open(path);
  t.equal(await schemaVersion(repo.db), SCHEMA_VERSION);
  t.equal(SCHEMA_VERSION, MIGRATIONS.length, 'migrations are numbered 1..N');
  const mode = await repo.db.get<{ journal_mode: string }>('PRAGMA journal_mode');
  t.equal(mode?.journal_mode, 'wal');
  await repo.updateKiosk('RJ-JAI-0001', () => ({ ...emptyKiosk('RJ-JAI-0001'), district: 'Jaipur' }));
  await repo.close();
  const again = await SqliteFleetRepository.open(path);
  t.equal((await again.getKiosk('RJ-JAI-0001'))?.district, 'Jaipur', 'data survives reopening');
  await again.close();
});

t.test('refuses a database from a newer fleet and a file that is not a fleet database', async (t) => {
  const dir = tempDir(t);
  const newer = join(dir, 'newer.db');
  const db = await SqliteDb.open(newer);
  await db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  await db.close();
  await t.rejects(SqliteFleetRepository.open(newer), /newer than this kiosk-fleet/);
  const empty = join(dir, 'empty.db');
  await (await SqliteDb.open(empty)).close();
  await t.rejects(SqliteFleetRepository.openReadonly(empty), /not a fleet database/);
});

t.test('updateKiosk is an atomic read-modify-write; concurrent updates do not lose counts', async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  await Promise.all(
    Array.from({ length: 50 }, () =>
      repo.updateKiosk('MP-BPL-0007', (cur) => {
        const k = cur ?? emptyKiosk('MP-BPL-0007');
        return { ...k, session: (k.session ?? 0) + 1 };
      }),
    ),
  );
  t.equal((await repo.getKiosk('MP-BPL-0007'))?.session, 50);
  const unchanged = await repo.updateKiosk('MP-BPL-0007', () => undefined);
  t.equal(unchanged?.session, 50, 'returning undefined leaves the row and returns it');
  await t.rejects(
    repo.updateKiosk('MP-BPL-0007', () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  t.equal((await repo.getKiosk('MP-BPL-0007'))?.session, 50, 'a failed update rolls back and the store goes on');
});

t.test('events are unique on kiosk and seq', async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const e = { kioskId: 'RJ-JAI-0001', seq: 7, type: 'power.lost', severity: 'warning', ts: 1, mono: 2, boot: 'b', synced: false, data: { on: 'battery' }, receivedAt: 3 };
  t.equal(await repo.addEvent(e), true);
  t.equal(await repo.addEvent({ ...e, data: { other: true } }), false, 'a redelivered duplicate is dropped');
  t.equal(await repo.addEvent({ ...e, kioskId: 'RJ-JAI-0002' }), true, 'same seq of another kiosk is kept');
  t.same(await repo.listEvents('RJ-JAI-0001'), [e]);
});

t.test('invalid messages are counted per kiosk and in total', async (t) => {
  const path = join(tempDir(t), 'fleet.db');
  const repo = await SqliteFleetRepository.open(path);
  t.teardown(() => repo.close());
  await repo.countInvalid('RJ-JAI-0001', 'not JSON', 10);
  await repo.countInvalid('RJ-JAI-0001', 'schema: seq', 11);
  await repo.countInvalid(undefined, 'topic outside the contract', 12);
  t.equal(await repo.invalidTotal(), 3);
  await repo.setMeta('monitor.tickAt', '42');
  const snap = await repo.snapshot();
  t.same([snap.invalidTotal, snap.kiosks.map((x) => x.invalidCount), snap.meta], [3, [2], { 'monitor.tickAt': '42' }], 'one consistent read');
  const reader = await SqliteFleetRepository.openReadonly(path);
  t.equal((await reader.snapshot()).invalidTotal, 3, 'a read-only connection takes snapshots too');
  await reader.close();
  const k = await repo.getKiosk('RJ-JAI-0001');
  t.same([k?.invalidCount, k?.lastInvalidError, k?.lastInvalidAt, k?.liveness], [2, 'schema: seq', 11, 'unknown']);
});

t.test('listOverdue picks online kiosks past their own window', async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const put = (id: string, liveness: 'online' | 'offline', lastBeatAt: number, heartbeatSec: number | null) =>
    repo.updateKiosk(id, () => ({ ...emptyKiosk(id), liveness, lastBeatAt, heartbeatSec }));
  await put('A-1', 'online', 0, 10); // window 30 s
  await put('A-2', 'online', 0, 60); // window 180 s
  await put('A-3', 'offline', 0, 10);
  await put('A-4', 'online', 0, null); // default 60 s
  t.same(await repo.listOverdue(30_000, 3, 60), []);
  t.same(await repo.listOverdue(30_001, 3, 60), ['A-1']);
  t.same(await repo.listOverdue(180_001, 3, 60), ['A-1', 'A-2', 'A-4']);
  t.same(await repo.listOverdue(180_001, 3, 60, 150_000), ['A-1'], 'windows start no earlier than notBefore');
});
